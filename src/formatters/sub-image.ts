/**
 * The sub-image a `<type>_sub` location asks for (Gen2's `llcX`, `llcY`, `width`, `height` and
 * `imageOrigin` in `additionalData`), and its translation to the rows and columns of one HDU.
 *
 * @packageDocumentation
 */
import { DataIdError, FormatterError } from "../errors.js";
import type { IndexRange } from "../fits/index.js";

/** Where a box's corner is measured from (LSST `ImageOrigin`). */
export type ImageOrigin = "LOCAL" | "PARENT";

/** A sub-image request from a location's `additionalData`. */
export interface SubImageRequest {
  llcX: number;
  llcY: number;
  width: number;
  height: number;
  /** `PARENT` (Gen2's default): the corner is in the parent frame, so the image's x0/y0 is subtracted. */
  origin: ImageOrigin;
}

/** Rows and columns of an HDU to read, and the parent-frame corner of the result. */
export interface LocalRegion {
  rows: IndexRange;
  cols: IndexRange;
  /** The result's x0/y0. */
  x0: number;
  y0: number;
}

/**
 * The sub-image request in `additionalData`, or undefined when there is none (a full read).
 * @throws FormatterError when the keys are present but not integers, or the origin is unknown
 */
export function subImageRequestOf(additionalData: Readonly<Record<string, unknown>>): SubImageRequest | undefined {
  if (additionalData.llcX === undefined) return undefined;
  const values: number[] = [];
  for (const key of ["llcX", "llcY", "width", "height"]) {
    const v = additionalData[key];
    if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new FormatterError(`sub-image ${key} must be an integer, not ${JSON.stringify(v)}`);
    values.push(v);
  }
  const origin = additionalData.imageOrigin ?? "PARENT";
  if (origin !== "LOCAL" && origin !== "PARENT") throw new FormatterError(`imageOrigin must be "LOCAL" or "PARENT", not ${JSON.stringify(origin)}`);
  const [llcX, llcY, width, height] = values as [number, number, number, number];
  return { llcX, llcY, width, height, origin };
}

/**
 * The rows and columns of an image of `width`×`height` pixels whose first pixel is at (x0, y0) in
 * the parent frame that a request covers.
 * @throws DataIdError (key `bbox`) when the box is not inside the image
 */
export function localRegion(request: SubImageRequest, image: { x0: number; y0: number; width: number; height: number }): LocalRegion {
  const col = request.origin === "PARENT" ? request.llcX - image.x0 : request.llcX;
  const row = request.origin === "PARENT" ? request.llcY - image.y0 : request.llcY;
  if (col < 0 || row < 0 || col + request.width > image.width || row + request.height > image.height) {
    const frame = request.origin === "PARENT" ? `parent frame, image covers x ${image.x0}…${image.x0 + image.width - 1}, y ${image.y0}…${image.y0 + image.height - 1}` : `local frame, image is ${image.width}×${image.height}`;
    throw new DataIdError(
      `bbox {x0: ${request.llcX}, y0: ${request.llcY}, width: ${request.width}, height: ${request.height}} is not inside the image (${frame}); give a smaller bbox or imageOrigin`,
      "bbox",
    );
  }
  return { rows: [row, row + request.height], cols: [col, col + request.width], x0: image.x0 + col, y0: image.y0 + row };
}

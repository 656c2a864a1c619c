/**
 * The renderer's view of its input: rows of pixels in strips, read one strip at a time, so that an
 * image of any size is rendered in memory bounded by a strip and the output.
 *
 * @packageDocumentation
 */
import type { PixelArray } from "../image/image.js";

/** Pixel arrays the renderer computes with (64-bit integers arrive converted to Float64Array). */
export type NumberArray = Exclude<PixelArray, BigInt64Array | BigUint64Array>;

/** A run of whole rows of the image (the region's columns only). */
export interface PixelStrip {
  /** Index of the strip's first row (0 = the first row of the region). */
  y: number;
  /** Number of rows in the strip. */
  rows: number;
  /** The pixels, row-major, `rows × width` values. */
  data: NumberArray;
  /** The mask bits of the same pixels, when the strips were asked for with the mask. */
  mask?: Int32Array;
}

/** Pixels the renderer can read again and again, strip by strip, top row first. */
export interface PixelSource {
  /** Columns (of the region). */
  readonly width: number;
  /** Rows (of the region). */
  readonly height: number;
  /** Mask plane name → bit, when the source has a mask. */
  readonly maskPlanes: ReadonlyMap<string, number> | undefined;
  /**
   * The strips, in order, covering every row once.
   * @param withMask - also read the mask (only when {@link PixelSource.maskPlanes} is defined)
   * @throws the source's read errors (FitsError, ClosedError for a FITS source)
   */
  strips(withMask: boolean): AsyncIterable<PixelStrip>;
  /**
   * Rows `[y, y + rows)` alone (without the mask), for a pass that needs only some rows.
   * @throws the source's read errors (FitsError, ClosedError for a FITS source)
   */
  readRows(y: number, rows: number): Promise<PixelStrip>;
}

/** Pixels per strip: a few MB, large enough to amortise a read, small enough to stay in cache-sized chunks. */
export const STRIP_PIXELS = 1 << 19;

/** Rows per strip for an image `width` wide (at least one). */
export function stripRows(width: number): number {
  return Math.max(1, Math.floor(STRIP_PIXELS / Math.max(1, width)));
}

/** 64-bit integer pixels as doubles (exact to 2^53, as astropy's float conversion). */
export function asNumbers(data: PixelArray): NumberArray {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float64Array.from(data, Number);
  return data;
}

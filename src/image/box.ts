/**
 * Integer pixel boxes (LSST's `Box2I`): the `bbox` of a `<type>_sub` data id and what `<type>_bbox`
 * returns.
 *
 * @packageDocumentation
 */

/**
 * An integer box of pixels: its lower-left corner (`x0` = LSST `minX`, `y0` = `minY`) and its size.
 * A plain, serialisable value: `{x0: 10, y0: 20, width: 64, height: 32}` covers columns 10–73 and
 * rows 20–51. Coordinates are in the parent frame unless a call says otherwise (see `imageOrigin`).
 */
export interface Box2I {
  /** First column (LSST `getMinX()`). */
  readonly x0: number;
  /** First row (LSST `getMinY()`). */
  readonly y0: number;
  /** Number of columns (≥ 0). */
  readonly width: number;
  /** Number of rows (≥ 0). */
  readonly height: number;
}

/**
 * Makes a checked {@link Box2I}.
 *
 * ```ts
 * const bbox = makeBox2I(10, 20, 64, 32);   // columns 10–73, rows 20–51
 * await butler.get("calexp_sub", { visit: 1, ccd: 0, bbox });
 * ```
 * @throws RangeError when a value is not an integer or a size is negative
 */
export function makeBox2I(x0: number, y0: number, width: number, height: number): Box2I {
  const box = { x0, y0, width, height };
  const problem = boxProblem(box);
  if (problem !== undefined) throw new RangeError(problem);
  return box;
}

/** Whether a value is a well-formed {@link Box2I} (integer corner, non-negative integer size). */
export function isBox2I(value: unknown): value is Box2I {
  return boxProblem(value) === undefined;
}

/** Why a value is not a {@link Box2I}, or undefined when it is one. */
export function boxProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return `a box must be an object {x0, y0, width, height}, not ${value === null ? "null" : typeof value}`;
  const box = value as Record<string, unknown>;
  for (const key of ["x0", "y0", "width", "height"]) {
    const v = box[key];
    if (typeof v !== "number" || !Number.isSafeInteger(v)) return `box ${key} must be an integer, not ${JSON.stringify(v)}`;
  }
  if ((box.width as number) < 0 || (box.height as number) < 0) return `box size must not be negative (${String(box.width)}×${String(box.height)})`;
  return undefined;
}

/** The last column of a box (LSST `getMaxX()`, inclusive). */
export function boxMaxX(box: Box2I): number {
  return box.x0 + box.width - 1;
}

/** The last row of a box (LSST `getMaxY()`, inclusive). */
export function boxMaxY(box: Box2I): number {
  return box.y0 + box.height - 1;
}

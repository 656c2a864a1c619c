/**
 * A render region → checked row and column ranges.
 *
 * @packageDocumentation
 */
import { UsageError } from "../errors.js";
import type { IndexRange } from "../fits/index.js";
import type { RenderRegion } from "./render-options.js";

/**
 * The `[start, end)` rows and columns a region selects in a `width` × `height` image.
 * @throws UsageError for a range that is not whole numbers inside the image, or is empty
 */
export function regionRanges(region: RenderRegion | undefined, width: number, height: number): [rows: IndexRange, cols: IndexRange] {
  return [check(region?.rows, height, "rows"), check(region?.cols, width, "cols")];
}

function check(range: IndexRange | undefined, size: number, what: string): IndexRange {
  if (range === undefined) return [0, size];
  const [start, end] = range;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > size) {
    throw new UsageError(`region ${what} [${String(start)}, ${String(end)}) must be a non-empty range inside [0, ${size})`);
  }
  return [start, end];
}

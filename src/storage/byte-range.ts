/**
 * Clamping a requested {@link ByteRange} to an object's size, with the rules every backend follows.
 *
 * @packageDocumentation
 */
import type { ByteRange } from "./storage.js";

/** A range clamped to an object: `length` bytes from `start`, both within the object. */
export interface ClampedRange {
  start: number;
  length: number;
}

/**
 * Checks a range and clamps it to an object of `size` bytes: a length beyond the end is truncated
 * to the end, an offset beyond the end gives an empty range (not an error, as with HTTP's 416 the
 * caller would only have to catch it).
 * @throws RangeError when the offset or length is negative or not an integer (a programming error)
 */
export function clampRange(range: ByteRange | undefined, size: number): ClampedRange {
  if (range === undefined) return { start: 0, length: size };
  checkRange(range);
  const start = Math.min(range.offset, size);
  const end = range.length === undefined ? size : Math.min(size, range.offset + range.length);
  return { start, length: Math.max(0, end - start) };
}

/**
 * Rejects a malformed range before any I/O.
 * @throws RangeError when the offset or length is negative or not an integer
 */
export function checkRange(range: ByteRange | undefined): void {
  if (range === undefined) return;
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`range offset must be a non-negative integer, got ${offset}`);
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw new RangeError(`range length must be a non-negative integer, got ${length}`);
  }
}

/**
 * `X-Storlet-Range` (and `storlet run --range`): the range of the input a storlet reads, with the
 * syntax of `Range` (one range, inclusive). Unlike upstream's object-node path, an open end
 * (`bytes=5-`) and a suffix (`bytes=-5`) work: upstream answers the first with a 500 and ignores the
 * second.
 *
 * @packageDocumentation
 */
import { UsageError } from "../errors.js";
import type { InputRange } from "./storlet-input.js";

/** A parsed range, before the object's size is known. */
export type StorletRangeSpec = { first: number; last?: number } | { suffix: number };

/**
 * Parses a range header value.
 * @throws UsageError for anything but one `bytes=A-B`, `bytes=A-` or `bytes=-N` range (several ranges included)
 */
export function parseStorletRange(header: string): StorletRangeSpec {
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (match === null || (match[1] === "" && match[2] === "")) {
    throw new UsageError(`X-Storlet-Range must be one range "bytes=FIRST-LAST", "bytes=FIRST-" or "bytes=-SUFFIX", got "${header.slice(0, 100)}"`);
  }
  const [, first, last] = match;
  if (first === "") return { suffix: Number(last) };
  const spec = { first: Number(first), ...(last === "" ? {} : { last: Number(last) }) };
  if (spec.last !== undefined && spec.last < spec.first) throw new UsageError(`X-Storlet-Range "${header}" ends before it starts`);
  return spec;
}

/**
 * The range of an object of `size` bytes, or "unsatisfiable" (416) when it starts at or past the
 * end (or is an empty suffix). An end past the end is clamped, as upstream clamps it.
 */
export function resolveStorletRange(spec: StorletRangeSpec, size: number): InputRange | "unsatisfiable" {
  if ("suffix" in spec) {
    if (spec.suffix === 0 || size === 0) return "unsatisfiable";
    const length = Math.min(spec.suffix, size);
    return { offset: size - length, length };
  }
  if (spec.first >= size) return "unsatisfiable";
  const end = spec.last === undefined ? size - 1 : Math.min(spec.last, size - 1);
  return { offset: spec.first, length: end - spec.first + 1 };
}

/** `Range` header text for a resolved range (what is asked of the storage). */
export function rangeHeaderOf(spec: StorletRangeSpec): string {
  return "suffix" in spec ? `bytes=-${spec.suffix}` : `bytes=${spec.first}-${spec.last ?? ""}`;
}

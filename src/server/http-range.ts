/**
 * The `Range` request header (RFC 9110 §14) for one range of bytes, as the object API serves it.
 *
 * @packageDocumentation
 */

/** A satisfiable range: bytes `start` to `end`, both inclusive. */
export interface ResolvedRange {
  start: number;
  end: number;
}

/**
 * Resolves a Range header against an object of `size` bytes: a range to serve (206), `"unsatisfiable"`
 * (416: it starts at or past the end), or undefined to serve the whole object (no header, a syntax
 * this server ignores as RFC 9110 allows, or several ranges).
 */
export function resolveRange(header: string | undefined, size: number): ResolvedRange | "unsatisfiable" | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, first, last] = match;
  if (first === "" && last === "") return undefined;
  if (first === "") {
    // a suffix: the last N bytes
    const n = Number(last);
    if (n === 0) return "unsatisfiable";
    return size === 0 ? "unsatisfiable" : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start)) return undefined;
  if (start >= size) return "unsatisfiable";
  const end = last === "" ? size - 1 : Math.min(size - 1, Number(last));
  if (end < start) return undefined;
  return { start, end };
}

/**
 * ByteRange ⇄ HTTP Range, with the clamping rules of `byte-range.ts` (shared by every backend that speaks HTTP).
 *
 * @packageDocumentation
 */
import { Readable, Transform } from "node:stream";
import type { ByteRange } from "./storage.js";
import { clampRange } from "./byte-range.js";

/**
 * The Range header for a checked, non-empty range, or undefined for the whole object. A length of
 * zero cannot be expressed in HTTP; callers answer it without a GET.
 */
export function rangeHeader(range: ByteRange | undefined): string | undefined {
  if (range === undefined || (range.offset === 0 && range.length === undefined)) return undefined;
  if (range.length === undefined) return `bytes=${range.offset}-`;
  return `bytes=${range.offset}-${range.offset + range.length - 1}`;
}

/**
 * Applies a range on the client to a full (200) response of `size` bytes: a server or a middle box
 * may ignore Range, and the result must be the same.
 */
export function sliceStream(body: Readable, range: ByteRange, size: number): Readable {
  const { start, length } = clampRange(range, size);
  let position = 0;
  const slicer = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const from = Math.max(0, start - position);
      const to = Math.min(chunk.length, start + length - position);
      position += chunk.length;
      done(null, from < to ? chunk.subarray(from, to) : undefined);
    },
  });
  body.on("error", (err) => slicer.destroy(err));
  return body.pipe(slicer);
}

/** An empty byte stream. */
export function emptyStream(): Readable {
  return Readable.from([], { objectMode: false });
}

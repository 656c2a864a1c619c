/**
 * MD5 digests (Swift ETags, Content-MD5), computed while streaming so memory stays flat — per segment, since
 * a Static Large Object's ETag is the MD5 of its segments' MD5s.
 *
 * @packageDocumentation
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Hex MD5 of bytes in memory. */
export function md5Hex(data: Uint8Array | string): string {
  return createHash("md5").update(data).digest("hex");
}

/** What a pass over some bytes found: their size and the MD5 of each segment. */
export interface Digest {
  size: number;
  /**
   * MD5 of each consecutive segment, at least one (the MD5 of nothing for no bytes). With one
   * segment — every object no larger than the segment size — it is the MD5 of the whole.
   */
  segments: string[];
}

/**
 * MD5s of consecutive segments: of a fixed size (an upload), or of given sizes (a large object's
 * manifest, to check a download); `Infinity` gives one MD5 of everything.
 */
export class SegmentedMd5 {
  readonly #sizeOf: (index: number) => number;
  readonly #done: string[] = [];
  #hash: Hash = createHash("md5");
  #inSegment = 0;
  #size = 0;

  /** @param sizes - every segment's size, or the fixed size of all of them */
  constructor(sizes: number | readonly number[]) {
    this.#sizeOf = typeof sizes === "number" ? () => sizes : (i) => sizes[i] ?? Infinity;
  }

  /** Hashes the next bytes. */
  update(bytes: Uint8Array): void {
    this.#size += bytes.length;
    let offset = 0;
    while (offset < bytes.length) {
      const room = this.#sizeOf(this.#done.length) - this.#inSegment;
      const take = Math.min(room, bytes.length - offset);
      this.#hash.update(bytes.subarray(offset, offset + take));
      this.#inSegment += take;
      offset += take;
      if (this.#inSegment === this.#sizeOf(this.#done.length)) {
        this.#done.push(this.#hash.digest("hex"));
        this.#hash = createHash("md5");
        this.#inSegment = 0;
      }
    }
  }

  /** The size and segment MD5s so far (call once, at the end). */
  digest(): Digest {
    const segments = this.#inSegment > 0 || this.#done.length === 0 ? [...this.#done, this.#hash.digest("hex")] : [...this.#done];
    return { size: this.#size, segments };
  }
}

/** Size and segment MD5s of a file, read as a stream. @throws the fs error (ENOENT …) */
export async function md5File(path: string, segmentSize = Infinity): Promise<Digest> {
  const hasher = new SegmentedMd5(segmentSize);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hasher.update(chunk as Buffer);
  return hasher.digest();
}

/**
 * Copies a stream into an existing (empty) file, hashing on the way: a stream cannot be replayed, and Swift wants the
 * ETag before the body, so a streamed write lands on disk first. The source's own error is rethrown
 * unchanged.
 * @param hasher - segment layout of the hashes (one MD5 of everything by default)
 */
export async function spoolToFile(source: Readable | AsyncIterable<Uint8Array | string>, path: string, hasher = new SegmentedMd5(Infinity)): Promise<Digest> {
  const tap = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      hasher.update(bytes);
      done(null, bytes);
    },
  });
  const readable = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
  // Open the existing temp file before any byte flows, and never create it: a lazily opened write
  // stream ("w") could re-create the file after a failed write's cleanup had deleted it.
  const handle = await open(path, "r+");
  await pipeline(readable, tap, handle.createWriteStream());
  return hasher.digest();
}

/**
 * Writes a response body into a file and returns its digest, to check a download against its ETag.
 */
export async function downloadToFile(body: Readable, path: string, hasher = new SegmentedMd5(Infinity)): Promise<Digest> {
  return spoolToFile(body, path, hasher);
}

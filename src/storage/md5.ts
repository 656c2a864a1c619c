/**
 * MD5 digests (Swift ETags, Content-MD5), computed while streaming so memory stays flat — per segment, since
 * a Static Large Object's ETag is the MD5 of its segments' MD5s.
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { hashFile, OffThreadHash } from "./off-thread-hash.js";
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

/** One segment's hash: synchronous (node:crypto) or on the hashing worker ({@link OffThreadHash}). */
interface SegmentHash<D> {
  update(bytes: Uint8Array): Promise<void> | undefined;
  digest(): D;
  dispose?(): void;
}

/** Cuts bytes into consecutive segments, one hash each, and collects their digests. */
class Segmenter<D> {
  readonly #sizeOf: (index: number) => number;
  readonly #newHash: () => SegmentHash<D>;
  readonly #done: D[] = [];
  #hash: SegmentHash<D>;
  #inSegment = 0;
  size = 0;

  constructor(sizes: number | readonly number[], newHash: () => SegmentHash<D>) {
    this.#sizeOf = typeof sizes === "number" ? () => sizes : (i) => sizes[i] ?? Infinity;
    this.#newHash = newHash;
    this.#hash = newHash();
  }

  /** Hashes the next bytes; a promise when a hash asks the writer to wait. */
  update(bytes: Uint8Array): Promise<void> | undefined {
    this.size += bytes.length;
    let waits: Promise<void>[] | undefined;
    let offset = 0;
    while (offset < bytes.length) {
      const room = this.#sizeOf(this.#done.length) - this.#inSegment;
      const take = Math.min(room, bytes.length - offset);
      const wait = this.#hash.update(bytes.subarray(offset, offset + take));
      if (wait !== undefined) (waits ??= []).push(wait);
      this.#inSegment += take;
      offset += take;
      if (this.#inSegment === this.#sizeOf(this.#done.length)) {
        this.#done.push(this.#hash.digest());
        this.#hash = this.#newHash();
        this.#inSegment = 0;
      }
    }
    return waits === undefined ? undefined : Promise.all(waits).then(() => undefined);
  }

  /** Every segment's digest (at least one: the MD5 of nothing for no bytes). Call once, at the end. */
  finish(): D[] {
    if (this.#inSegment > 0 || this.#done.length === 0) return [...this.#done, this.#hash.digest()];
    this.#hash.dispose?.();
    return [...this.#done];
  }

  /** Drops the segment being hashed (the bytes will not be finished). */
  dispose(): void {
    this.#hash.dispose?.();
  }
}

/**
 * MD5s of consecutive segments: of a fixed size (an upload), or of given sizes (a large object's
 * manifest, to check a download); `Infinity` gives one MD5 of everything.
 */
export class SegmentedMd5 {
  readonly #segments: Segmenter<string>;

  /** @param sizes - every segment's size, or the fixed size of all of them */
  constructor(sizes: number | readonly number[]) {
    this.#segments = new Segmenter(sizes, () => {
      const hash = createHash("md5");
      return { update: (bytes) => void hash.update(bytes), digest: () => hash.digest("hex") };
    });
  }

  /** Hashes the next bytes. */
  update(bytes: Uint8Array): void {
    this.#segments.update(bytes);
  }

  /** The size and segment MD5s so far (call once, at the end). */
  digest(): Digest {
    return { size: this.#segments.size, segments: this.#segments.finish() };
  }
}

/**
 * {@link SegmentedMd5} on the hashing worker ({@link OffThreadHash}): a download's MD5 (~0.45 s of a
 * core per 256 MiB here) runs beside the receiving instead of between its chunks. `update` returns
 * a promise when the worker is behind (await it: memory stays bounded); `dispose` when the bytes
 * will not be finished.
 */
export class OffThreadSegmentedMd5 {
  readonly #segments: Segmenter<Promise<string>>;

  /** @param sizes - every segment's size, or the fixed size of all of them */
  constructor(sizes: number | readonly number[]) {
    this.#segments = new Segmenter(sizes, () => {
      const hash = new OffThreadHash("md5");
      return {
        update: (bytes) => hash.update(bytes),
        digest: () => {
          const hex = hash.digest();
          hex.catch(() => undefined); // a transfer that fails later never asks: not an unhandled rejection
          return hex;
        },
        dispose: () => hash.dispose(),
      };
    });
  }

  /** Hashes the next bytes (copied). */
  update(bytes: Uint8Array): Promise<void> | undefined {
    return this.#segments.update(bytes);
  }

  /**
   * The size and segment MD5s (call once, at the end).
   * @throws Error when the hashing worker failed
   */
  async digest(): Promise<Digest> {
    return { size: this.#segments.size, segments: await Promise.all(this.#segments.finish()) };
  }

  /** Ends the hash without a digest (a failed transfer). */
  dispose(): void {
    this.#segments.dispose();
  }
}

/** What {@link spoolToFile} hashes with: {@link SegmentedMd5} or {@link OffThreadSegmentedMd5}. */
export interface StreamHasher {
  update(bytes: Uint8Array): Promise<void> | undefined | void;
  digest(): Digest | Promise<Digest>;
  dispose?(): void;
}

/** Size and segment MD5s of a file, read and hashed on the hashing worker ({@link hashFile}). @throws the fs error (ENOENT …) */
export async function md5File(path: string, segmentSize = Infinity): Promise<Digest> {
  return hashFile(path, "md5", segmentSize);
}

/**
 * Copies a stream into an existing (empty) file, hashing on the way: a stream cannot be replayed, and Swift wants the
 * ETag before the body, so a streamed write lands on disk first. The source's own error is rethrown
 * unchanged.
 * @param hasher - segment layout of the hashes (one MD5 of everything by default), in process or on the worker
 */
export async function spoolToFile(source: Readable | AsyncIterable<Uint8Array | string>, path: string, hasher: StreamHasher = new SegmentedMd5(Infinity)): Promise<Digest> {
  const tap = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      const hashed = hasher.update(bytes);
      // a hasher that is behind holds the stream back: memory stays bounded
      if (hashed === undefined) done(null, bytes);
      else hashed.then(() => done(null, bytes), done);
    },
  });
  const readable = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
  try {
    // Open the existing temp file before any byte flows, and never create it: a lazily opened write
    // stream ("w") could re-create the file after a failed write's cleanup had deleted it.
    const handle = await open(path, "r+");
    await pipeline(readable, tap, handle.createWriteStream());
  } catch (err) {
    hasher.dispose?.();
    throw err;
  }
  return hasher.digest();
}

/**
 * Writes a response body into a file and returns its digest, to check a download against its ETag.
 * The MD5s are computed on the hashing worker, beside the receiving.
 */
export async function downloadToFile(body: Readable, path: string, sizes: number | readonly number[] = Infinity): Promise<Digest> {
  return spoolToFile(body, path, new OffThreadSegmentedMd5(sizes));
}

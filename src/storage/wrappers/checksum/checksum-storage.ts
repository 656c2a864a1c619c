/**
 * `skybutler:checksum`: every object carries the SHA-256 of each chunk and their root (see
 * `checksum-format.ts`), and every read — ranged reads included — is checked chunk by chunk
 * before a byte is handed on. A mismatch is an {@link IntegrityError}, never silently returned bytes.
 *
 * ```yaml
 * checked: {module: "skybutler:checksum", args: {over: "swift://", chunkSize: 1048576}}
 * ```
 *
 * @packageDocumentation
 */
import { Readable } from "node:stream";
import { ChangedError, IntegrityError, NotFoundError } from "../../../errors.js";
import type { ClampedRange } from "../../byte-range.js";
import type { ObjectInfo, Storage, StorageOptions } from "../../storage.js";
import type { ByteSource } from "../../stream-storage.js";
import { JOBS_IN_FLIGHT, OrderedJobs, sha256 } from "../crypto-jobs.js";
import { integerArg, openInner, overOf, prefetch, wrapperConfig } from "../wrapper-support.js";
import { WrapperStorage } from "../wrapper-storage.js";
import { FOOTER_SIZE, HASH_SIZE, parseFooter, rootOf, withTrailer, type ChecksumLayout } from "./checksum-format.js";

/** Default chunk: 1 MiB (a ranged read checks at most two chunks more than it asked for). */
const DEFAULT_CHUNK = 1024 * 1024;
/** Bytes read or hashed ahead of the consumer. */
const PREFETCH = 8 * 1024 * 1024;

/**
 * The `skybutler:checksum` factory: `NAME://rest` wraps `args.over` + rest.
 * @throws ConfigError for missing or malformed args
 */
export async function openChecksumStorage(uri: string, options: StorageOptions): Promise<ChecksumStorage> {
  const config = wrapperConfig("checksum", uri, options);
  const over = overOf(config);
  const chunkSize = integerArg(config, "chunkSize", DEFAULT_CHUNK, 4096);
  const inner = await openInner(config, over);
  return new ChecksumStorage(config.name, config.uri.uri, inner, chunkSize, options);
}

/** Objects with SHA-256 chunk hashes, verified on every read. */
export class ChecksumStorage extends WrapperStorage {
  readonly #chunkSize: number;
  readonly #layouts = new WeakMap<ObjectInfo, ChecksumLayout>();

  /** @param chunkSize - bytes per hashed chunk of new objects (old ones keep theirs) */
  constructor(scheme: string, uri: string, inner: Storage, chunkSize: number, options: StorageOptions = {}) {
    super(scheme, uri, inner, options);
    this.#chunkSize = chunkSize;
  }

  protected figureName(): string {
    return "checksum";
  }

  protected async statKey(key: string): Promise<ObjectInfo> {
    for (let attempt = 0; ; attempt++) {
      const stored = await this.inner.stat(key);
      try {
        const layout = await this.#layout(key, stored);
        const info: ObjectInfo = { key, size: layout.size, modified: stored.modified, ...(stored.etag === undefined ? {} : { etag: stored.etag }) };
        this.#layouts.set(info, layout);
        return info;
      } catch (err) {
        // replaced between the stat and the footer read: look again once before calling it damage
        if (attempt === 0 && (err instanceof IntegrityError || err instanceof NotFoundError || err instanceof ChangedError)) continue;
        throw err;
      }
    }
  }

  async #layout(key: string, stored: ObjectInfo): Promise<ChecksumLayout> {
    const what = `"${key}" in ${this.uri}`;
    if (stored.size < FOOTER_SIZE + HASH_SIZE) throw new IntegrityError(`${what} is too short to carry a checksum trailer (${stored.size} bytes)`);
    const footer = await this.inner.read(key, { offset: stored.size - FOOTER_SIZE, length: FOOTER_SIZE, ...this.pinOf(stored) });
    return parseFooter(footer, stored.size, what);
  }

  protected async openRange(key: string, range: ClampedRange, info: ObjectInfo): Promise<Readable> {
    // every read below is of the version stat'd: trailer and chunks of one version, or ChangedError
    const pin = this.pinOf(info);
    const layout = this.#layouts.get(info) ?? (await this.#layout(key, await this.inner.stat(key)));
    const first = Math.floor(range.start / layout.chunkSize);
    const last = Math.floor((range.start + range.length - 1) / layout.chunkSize);
    // all chunk hashes and their root (32 bytes a MiB): the trailer is checked before it is trusted
    const trailer = await this.inner.read(key, { offset: layout.hashesAt, length: (layout.chunks + 1) * HASH_SIZE, ...pin });
    const all = trailer.subarray(0, layout.chunks * HASH_SIZE);
    if (trailer.length !== (layout.chunks + 1) * HASH_SIZE || !rootOf(all).equals(trailer.subarray(all.length))) {
      throw new IntegrityError(`"${key}" in ${this.uri}: its chunk hashes do not match their root; the stored object is damaged`);
    }
    const hashes = all.subarray(first * HASH_SIZE, (last + 1) * HASH_SIZE);
    const from = first * layout.chunkSize;
    const to = Math.min(layout.size, (last + 1) * layout.chunkSize);
    const stream = await this.inner.readStream(key, { offset: from, length: to - from, ...pin });
    return Readable.from(this.#verified(key, stream, hashes, layout, range, from, first));
  }

  /**
   * The bytes of the range, each chunk handed on only once its SHA-256 matched. Chunks are hashed in
   * the thread pool, a few at once, while the next ones are read.
   */
  async *#verified(key: string, stream: Readable, hashes: Buffer, layout: ChecksumLayout, range: ClampedRange, from: number, first: number): AsyncGenerator<Buffer> {
    const uri = this.uri;
    const end = range.start + range.length;
    const stop = Math.min(layout.size, (first + hashes.length / HASH_SIZE) * layout.chunkSize);
    /** Chunks being hashed, oldest first: the bytes and where they are. */
    const pending: Array<{ bytes: Buffer; offset: number; index: number }> = [];
    const jobs = new OrderedJobs<Buffer>(JOBS_IN_FLIGHT);
    const checked = function* (digests: Buffer[]): Generator<Buffer> {
      for (const digest of digests) {
        const { bytes, offset, index } = pending.shift()!;
        const expected = hashes.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
        if (expected.length !== HASH_SIZE || !digest.equals(expected)) {
          throw new IntegrityError(`"${key}" in ${uri}: chunk ${first + index} (bytes ${offset}–${offset + bytes.length - 1}) does not match its SHA-256; the stored object is damaged`);
        }
        const lo = Math.max(range.start, offset) - offset;
        const hi = Math.min(end, offset + bytes.length) - offset;
        if (hi > lo) yield bytes.subarray(lo, hi);
      }
    };
    let offset = from; // of the current chunk's first byte
    let index = 0;
    let held: Buffer[] = [];
    let inChunk = 0;
    try {
      // read ahead while chunks are hashed: the disk or network works while the CPU checks
      for await (const piece of prefetch(stream as AsyncIterable<Buffer>, PREFETCH)) {
        let buf = piece;
        while (buf.length > 0) {
          const chunkLength = Math.min(layout.chunkSize, stop - offset);
          if (chunkLength <= 0) throw new IntegrityError(`"${key}" in ${uri}: the storage below returned more bytes than asked for`);
          const take = Math.min(chunkLength - inChunk, buf.length);
          held.push(buf.subarray(0, take));
          inChunk += take;
          buf = buf.subarray(take);
          if (inChunk < chunkLength) continue;
          const bytes = held.length === 1 ? held[0]! : Buffer.concat(held, chunkLength);
          pending.push({ bytes, offset, index });
          yield* checked(await jobs.add(sha256(bytes)));
          offset += chunkLength;
          index++;
          held = [];
          inChunk = 0;
        }
      }
      yield* checked(await jobs.drain());
    } finally {
      stream.destroy();
    }
    if (offset < end) throw new IntegrityError(`"${key}" in ${uri} ended at byte ${offset + inChunk}, before the ${end} its trailer promises`);
  }

  protected async writeKey(key: string, source: ByteSource, ifAbsent: boolean): Promise<void> {
    // hashed ahead of the storage below, which writes the previous pieces meanwhile
    await this.inner.writeStream(key, prefetch(withTrailer(source, this.#chunkSize), PREFETCH), { ifAbsent });
  }
}

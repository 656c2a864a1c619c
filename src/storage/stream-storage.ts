/**
 * A base for storages built on another layer of bytes (a vendor module, a wrapper around another
 * Storage): subclasses implement a few primitives on normalised keys — stat, open a range, write
 * a stream, delete, list — and this class derives the rest of the {@link Storage} contract the
 * same way for all of them: key checks, ClosedError, range clamping, streams that fail before
 * returning, local files through temp files, pending writes discarded on close.
 *
 * @packageDocumentation
 */
import { createReadStream } from "node:fs";
import { open, stat as statFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Readable } from "node:stream";
import { AlreadyExistsError, ChangedError, ClosedError, NotFoundError, StorageError } from "../errors.js";
import { TempScope, type LocalFile } from "../temp/index.js";
import { checkRange, clampRange, type ClampedRange } from "./byte-range.js";
import { normalizeKey, normalizePrefix } from "./keys.js";
import { etagPinnedObject, requireVersion } from "./ranged-object.js";
import { availableByStat } from "./statistics.js";
import type {
  AvailableOptions,
  ByteRange,
  ListOptions,
  LocalFileOptions,
  ObjectInfo,
  PendingLocalFile,
  RangedObject,
  StatisticsOptions,
  Storage,
  StorageCapabilities,
  StorageOptions,
  StorageStatistics,
  WriteOptions,
} from "./storage.js";
import { TempLocalFiles } from "./temp-local-files.js";
import { tracked } from "./pending-tracking.js";

/** Bytes as an async iterable, strings turned into UTF-8. */
export type ByteSource = AsyncIterable<Uint8Array>;

/**
 * Wraps a write source so that its own failure can be told apart from the layer below's: the
 * layer below may wrap or replace the error it sees, and the contract says a failing source's own
 * error is what `writeStream` rethrows.
 */
export class SourceGuard {
  /** The source's own error, once it failed. */
  failure: { error: unknown } | undefined;

  /** The bytes of `source`, strings as UTF-8, recording a failure of the source. */
  async *bytes(source: Readable | AsyncIterable<Uint8Array | string>): ByteSource {
    const iterator = (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Uint8Array | string>;
      try {
        next = await iterator.next();
      } catch (err) {
        this.failure = { error: err };
        throw err;
      }
      if (next.done === true) return;
      const chunk = next.value;
      yield typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    }
  }

  /** The error to rethrow: the source's own when it failed, else `err`. */
  pick(err: unknown): unknown {
    return this.failure === undefined ? err : this.failure.error;
  }
}

/**
 * Writes a stream into an existing file. The file is opened before the first byte is pulled — a
 * `createWriteStream` opens lazily, and when its source fails first it can recreate a temp file
 * that its owner has just deleted.
 * @throws the source's error, or the fs error
 */
export async function writeToFile(source: AsyncIterable<Uint8Array>, path: string): Promise<void> {
  const handle = await open(path, "w");
  try {
    for await (const chunk of source) {
      let done = 0;
      while (done < chunk.byteLength) done += (await handle.write(chunk, done, chunk.byteLength - done)).bytesWritten;
    }
  } finally {
    await handle.close();
  }
}

/** Collects a stream into one Buffer. */
export async function collectBytes(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return Buffer.concat(chunks);
}

/**
 * The Storage contract derived from a few primitives. Subclasses set `scheme`, `uri` and
 * `capabilities`, and implement the `*Key` methods; keys reaching them are normalised and the
 * storage is open.
 */
export abstract class StreamStorage implements Storage {
  abstract readonly scheme: string;
  abstract readonly uri: string;
  abstract readonly capabilities: StorageCapabilities;
  /** Temp files of downloads and pending writes. */
  protected readonly tempScope: TempScope;
  readonly #ownsScope: boolean;
  readonly #files: TempLocalFiles;
  readonly #pending = new Set<PendingLocalFile>();
  #closed = false;

  /** @param options - `tempScope` (a private one when absent) */
  constructor(options: StorageOptions = {}) {
    this.#ownsScope = options.tempScope === undefined;
    this.tempScope = options.tempScope ?? new TempScope();
    this.#files = new TempLocalFiles(this.tempScope, {
      download: async (key, path) => {
        await writeToFile(await this.readStream(key), path);
      },
      upload: (path, key, options) => this.putLocalFile(path, key, options),
    });
  }

  /** Size, time and validator of an object. @throws NotFoundError */
  protected abstract statKey(key: string): Promise<ObjectInfo>;
  /**
   * The bytes of a clamped range of the version `info` describes (just read; a positive length).
   * Where the layer below has validators, its reads are pinned to `info.etag` (`ifMatch`), so a
   * replacement since the stat is a ChangedError, never bytes of the new version.
   * @throws NotFoundError, IntegrityError, ChangedError
   */
  protected abstract openRange(key: string, range: ClampedRange, info: ObjectInfo): Promise<Readable>;
  /** Stores a stream at the key atomically (old object kept on failure). @throws AlreadyExistsError (ifAbsent), PermissionDeniedError */
  protected abstract writeKey(key: string, source: ByteSource, ifAbsent: boolean): Promise<void>;
  /** Deletes an object. @throws NotFoundError, PermissionDeniedError */
  protected abstract deleteKey(key: string): Promise<void>;
  /** Keys below a normalised prefix, in byte order. */
  protected abstract listKeys(prefix: string, shallow: boolean): AsyncIterable<string>;
  /** What {@link Storage.statistics} reports. */
  protected abstract statisticsOf(options: StatisticsOptions): Promise<StorageStatistics>;
  /** Releases what the subclass holds (called once, by close). */
  protected abstract closeResources(): Promise<void>;

  /** Copies an object; by default a stream from the source into the destination. */
  protected async copyKey(from: string, to: string, ifAbsent: boolean): Promise<void> {
    const info = await this.statKey(from);
    const stream = info.size === 0 ? Readable.from([]) : await this.openRange(from, { start: 0, length: info.size }, info);
    await this.writeKey(to, stream as ByteSource, ifAbsent);
  }

  uriOf(key: string): string {
    return `${this.uri}/${this.key(key)}`;
  }

  async exists(key: string): Promise<boolean> {
    const k = this.key(key);
    try {
      await this.statKey(k);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  async stat(key: string): Promise<ObjectInfo> {
    return this.statKey(this.key(key));
  }

  async read(key: string, range?: ByteRange): Promise<Buffer> {
    return collectBytes(await this.readStream(key, range));
  }

  async readStream(key: string, range?: ByteRange): Promise<Readable> {
    const k = this.key(key);
    checkRange(range);
    for (let attempt = 0; ; attempt++) {
      const info = await this.statKey(k);
      requireVersion(range?.ifMatch, info, k, this.uri);
      const clamped = clampRange(range, info.size);
      if (clamped.length === 0) return Readable.from([]);
      try {
        return await this.openRange(k, clamped, info);
      } catch (err) {
        // replaced between the stat and the open: an unpinned read takes the new version (once)
        if (attempt > 0 || range?.ifMatch !== undefined || !(err instanceof ChangedError)) throw err;
      }
    }
  }

  /** Ranged reads pinned to the validator of the version current now (`ifMatch` on every range). */
  async openRanged(key: string): Promise<RangedObject> {
    return etagPinnedObject(this, key);
  }

  async write(key: string, data: Uint8Array | string, options: WriteOptions = {}): Promise<void> {
    const k = this.key(key);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    await this.writeKey(k, (async function* () {
      yield bytes;
    })(), options.ifAbsent === true);
  }

  async writeStream(key: string, source: Readable | AsyncIterable<Uint8Array>, options: WriteOptions = {}): Promise<void> {
    const k = this.key(key);
    // A Readable that fails before it is read would emit an unhandled 'error' and crash the process.
    const hold = (): void => undefined;
    if (source instanceof Readable) source.on("error", hold);
    const guard = new SourceGuard();
    try {
      if (options.ifAbsent === true && (await this.exists(k))) throw new AlreadyExistsError(k, this.uri);
      await this.writeKey(k, guard.bytes(source), options.ifAbsent === true);
    } catch (err) {
      throw guard.pick(err);
    } finally {
      if (source instanceof Readable) source.off("error", hold);
    }
  }

  async delete(key: string): Promise<void> {
    await this.deleteKey(this.key(key));
  }

  list(options: ListOptions = {}): AsyncIterable<string> {
    this.assertOpen();
    const prefix = normalizePrefix(options.prefix);
    const shallow = options.shallow === true;
    const keys = (): AsyncIterable<string> => {
      this.assertOpen();
      return this.listKeys(prefix, shallow);
    };
    return {
      async *[Symbol.asyncIterator]() {
        yield* keys();
      },
    };
  }

  async copy(from: string, to: string, options: WriteOptions = {}): Promise<void> {
    const source = this.key(from);
    const dest = this.key(to);
    await this.copyKey(source, dest, options.ifAbsent === true);
  }

  async getLocalFile(key: string, _options: LocalFileOptions = {}): Promise<LocalFile> {
    return this.#files.get(this.key(key));
  }

  async putLocalFile(localPath: string, key: string, options: WriteOptions = {}): Promise<void> {
    const k = this.key(key);
    const source = resolve(localPath);
    try {
      if (!(await statFile(source)).isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") throw new NotFoundError(source, "the local filesystem (the source of putLocalFile)", { cause: err });
      throw new StorageError(`cannot read local file ${source}: ${(err as Error).message}`, { cause: err });
    }
    // opened only when read: an early refusal (ifAbsent) must not leave a stream opening a file
    // that its owner may delete right after
    await this.writeStream(k, (async function* () {
      yield* createReadStream(source) as AsyncIterable<Uint8Array>;
    })(), options);
  }

  async createLocalFile(key: string, options: WriteOptions & { suffix?: string } = {}): Promise<PendingLocalFile> {
    const k = this.key(key);
    if (options.ifAbsent === true && (await this.exists(k))) throw new AlreadyExistsError(k, this.uri);
    return tracked(await this.#files.create(k, options), this.#pending);
  }

  async statistics(options: StatisticsOptions = {}): Promise<StorageStatistics> {
    this.assertOpen();
    return this.statisticsOf(options);
  }

  async available(key: string, expected?: AvailableOptions): Promise<boolean> {
    this.key(key);
    return availableByStat(this, key, expected);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pending = [...this.#pending];
    this.#pending.clear();
    await Promise.all(pending.map((p) => p.abort()));
    if (this.#ownsScope) await this.tempScope.close();
    await this.closeResources();
  }

  /** Whether close() was called. */
  protected get closed(): boolean {
    return this.#closed;
  }

  /** @throws ClosedError after close */
  protected assertOpen(): void {
    if (this.#closed) throw new ClosedError(`${this.constructor.name} ${this.uri}`);
  }

  /** Normalises a key of an open storage. @throws ClosedError, InvalidKeyError */
  protected key(key: string): string {
    this.assertOpen();
    return normalizeKey(key);
  }
}

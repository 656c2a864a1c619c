/**
 * PosixStorage: the `file://` backend — objects are files below a root directory. The class keeps
 * the state (root, open/closed, pending files); reads live in `file-reads.ts`, the atomic write
 * path in `write-atomically.ts`, deletes in `delete-file.ts`, listing in `list-walk.ts`.
 *
 * @packageDocumentation
 */
import { Readable } from "node:stream";
import { basename, join, resolve } from "node:path";
import { ClosedError } from "../../errors.js";
import { RefCountedFile, type LocalFile } from "../../temp/index.js";
import { normalizeKey, normalizePrefix } from "../keys.js";
import type {
  AvailableOptions,
  ByteRange,
  ListOptions,
  ObjectInfo,
  PendingLocalFile,
  RangedObject,
  StatisticsOptions,
  SweepOptions,
  SweepReport,
  Storage,
  StorageCapabilities,
  StorageOptions,
  StorageStatistics,
  WriteOptions,
} from "../storage.js";
import { availableByStat, countByListing, filesystemCapacity } from "../statistics.js";
import { translateFsError } from "./errno.js";
import { checkRange } from "../byte-range.js";
import { deleteFileAt } from "./delete-file.js";
import { fileInfo, isFileAt, openFileStream, readFileRange, readWholeFile, requireFile } from "./file-reads.js";
import { openFileRanged } from "./file-ranged-object.js";
import { walkKeys } from "./list-walk.js";
import { sweepStaleTemps } from "./stale-temps.js";
import { posixPendingFile } from "./pending-file.js";
import { fileUriOf, openRoot } from "./open-root.js";
import { pruneEmptyDirs, type RootPaths } from "./root-path.js";
import { tempNameFor } from "./temp-name.js";
import { beginWriteByPath, refuseExisting, writeAtomically, type WriteTarget } from "./write-atomically.js";

/**
 * Objects as files below a root directory. Every write is atomic (temp file beside the
 * destination, fsync, rename, fsync of the directory), so readers and crashed writers never leave a
 * partial object. `getLocalFile` hands out the file itself; `createLocalFile` hands out the temp
 * file beside the destination, so publishing a large file is a rename, not a copy.
 *
 * Symbolic links inside the root are followed by reads and listings (the repository owner placed
 * them), but never by writes or deletes that would act outside the root.
 *
 * ```ts
 * const storage = await PosixStorage.open("file:///scratch/rerun", { create: true });
 * await storage.write("config/isr.py", "config.doWrite = True\n");
 * for await (const key of storage.list({ prefix: "config/" })) console.log(key);
 * await storage.close();
 * ```
 */
export class PosixStorage implements Storage {
  /** Always `file`. */
  readonly scheme = "file";
  /** Objects are files: local paths, no user metadata, ranges are seeks. */
  readonly capabilities: StorageCapabilities = { localPath: true, metadata: false, rangedRead: true };
  /** The root as `file:///abs/path`, no trailing slash. */
  readonly uri: string;
  readonly #root: RootPaths;
  readonly #target: WriteTarget;
  readonly #pending = new Set<PendingLocalFile>();
  #closed = false;

  private constructor(root: RootPaths) {
    this.#root = root;
    this.uri = root.uri;
    this.#target = { root, uri: root.uri, exists: (key) => this.exists(key) };
  }

  /**
   * Opens the storage rooted at a `file:` URI (or a plain path). `tempScope` is not needed: pending
   * writes live beside their destination, never in a temp directory.
   * @param options - `create: true` makes the root directory (for output repositories)
   * @throws NotFoundError when the root does not exist and `create` is not set
   * @throws ConfigError when the URI is not a local `file:` URI or the root is not a directory
   * @throws PermissionDeniedError when the root cannot be reached
   */
  static async open(uri: string, options: StorageOptions = {}): Promise<PosixStorage> {
    return new PosixStorage(await openRoot(uri, options.create === true));
  }

  /** The root directory as an absolute path (as given, not resolved through links). */
  get path(): string {
    return this.#root.path;
  }

  /** `file:///root/key`. @throws InvalidKeyError, ClosedError */
  uriOf(key: string): string {
    return fileUriOf(this.#pathOf(this.#key(key)));
  }

  /** Whether a file exists at the key; directories are not objects. @throws InvalidKeyError, PermissionDeniedError, ClosedError */
  async exists(key: string): Promise<boolean> {
    const k = this.#key(key);
    return isFileAt(this.#pathOf(k), k, this.uri);
  }

  /**
   * Size, modification time and a validator built from inode, size and nanosecond mtime (an
   * atomic replace always makes a new inode, so the validator changes with the content).
   * @throws NotFoundError, InvalidKeyError, ClosedError
   */
  async stat(key: string): Promise<ObjectInfo> {
    const k = this.#key(key);
    return fileInfo(this.#pathOf(k), k, this.uri);
  }

  /** The object or a range of it; reads only the bytes asked for. @throws NotFoundError, InvalidKeyError, RangeError, ClosedError */
  async read(key: string, range?: ByteRange): Promise<Buffer> {
    const k = this.#key(key);
    checkRange(range);
    if (range === undefined) return readWholeFile(this.#pathOf(k), k, this.uri);
    return readFileRange(this.#pathOf(k), k, this.uri, range);
  }

  /**
   * A stream of the object or a range of it. The file is opened before this returns, so a missing
   * key raises here, and a replace after that does not change what the stream delivers.
   * @throws NotFoundError, InvalidKeyError, RangeError, ClosedError
   */
  async readStream(key: string, range?: ByteRange): Promise<Readable> {
    const k = this.#key(key);
    checkRange(range);
    return openFileStream(this.#pathOf(k), k, this.uri, range);
  }

  /**
   * The file held open: every range comes from the version opened, even when a writer replaces the
   * object meanwhile (the rename leaves the open descriptor on the old inode). Close it when done.
   * @throws NotFoundError, InvalidKeyError, ClosedError
   */
  async openRanged(key: string): Promise<RangedObject> {
    const k = this.#key(key);
    return openFileRanged(this.#pathOf(k), k, this.uri);
  }

  /** Writes an object atomically. @throws AlreadyExistsError (with ifAbsent), PermissionDeniedError, InvalidKeyError, ClosedError */
  async write(key: string, data: Uint8Array | string, options: WriteOptions = {}): Promise<void> {
    const k = this.#key(key);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    await writeAtomically(this.#target, k, options, (w) => w.write(bytes));
  }

  /**
   * Writes an object from a stream, atomically; memory stays bounded whatever the size. An error of
   * the source is rethrown as is, and the old object is left untouched.
   * @throws AlreadyExistsError (with ifAbsent), PermissionDeniedError, InvalidKeyError, ClosedError
   */
  async writeStream(key: string, source: Readable | AsyncIterable<Uint8Array>, options: WriteOptions = {}): Promise<void> {
    const k = this.#key(key);
    // A Readable that fails before the loop below starts (while the temp file is being made) would
    // emit an unhandled 'error' and crash the process; the loop still sees it through `errored`.
    const hold = (): void => undefined;
    if (source instanceof Readable) source.on("error", hold);
    try {
      await writeAtomically(this.#target, k, options, async (w) => {
        for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
          await w.write(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
        }
      });
    } finally {
      if (source instanceof Readable) source.off("error", hold);
    }
  }

  /**
   * Deletes the file at the key, and the directories that it leaves empty.
   * @throws NotFoundError, PermissionDeniedError, InvalidKeyError, ClosedError
   */
  async delete(key: string): Promise<void> {
    const k = this.#key(key);
    await deleteFileAt(this.#root, k, this.uri);
  }

  /**
   * Keys below a prefix in ascending byte order; temp files of pending writes and empty directories
   * are never listed.
   * @throws InvalidKeyError for a malformed prefix, ClosedError, PermissionDeniedError while iterating
   */
  list(options: ListOptions = {}): AsyncIterable<string> {
    this.#assertOpen();
    const prefix = normalizePrefix(options.prefix);
    const shallow = options.shallow === true;
    const assertOpen = (): void => this.#assertOpen();
    const { path } = this.#root;
    const where = this.uri;
    return {
      async *[Symbol.asyncIterator]() {
        assertOpen(); // closed between list() and the first iteration
        yield* walkKeys(path, prefix, shallow, where);
      },
    };
  }

  /**
   * Copies an object (a reflink where the filesystem can), atomically at the destination.
   * @throws NotFoundError for a missing source, AlreadyExistsError (with ifAbsent), InvalidKeyError, ClosedError
   */
  async copy(from: string, to: string, options: WriteOptions = {}): Promise<void> {
    const source = this.#key(from);
    const dest = this.#key(to);
    const sourcePath = this.#pathOf(source);
    await requireFile(sourcePath, source, this.uri);
    await writeAtomically(this.#target, dest, options, (w) => w.copyFrom(sourcePath));
  }

  /**
   * A lease on the file itself (nothing is copied, nothing is deleted on release). Releasing twice is a no-op.
   * @throws NotFoundError, InvalidKeyError, ClosedError
   */
  async getLocalFile(key: string): Promise<LocalFile> {
    const k = this.#key(key);
    const path = this.#pathOf(k);
    await requireFile(path, k, this.uri);
    return new RefCountedFile(path, { deleteOnZero: false }).acquire();
  }

  /**
   * Copies a local file (left in place) to the key, atomically.
   * @throws NotFoundError naming the local path when it does not exist (or is not a file)
   * @throws AlreadyExistsError (with ifAbsent), PermissionDeniedError, InvalidKeyError, ClosedError
   */
  async putLocalFile(localPath: string, key: string, options: WriteOptions = {}): Promise<void> {
    const k = this.#key(key);
    const source = resolve(localPath);
    await requireFile(source, source, "the local filesystem (the source of putLocalFile)");
    await writeAtomically(this.#target, k, options, (w) => w.copyFrom(source));
  }

  /**
   * The temp file beside the destination, published by `commit()` with a rename. Until then the key
   * holds its old content (or nothing); `abort()`, `await using` without a commit, or `close()`
   * remove it. Parent directories are made now, so a commit cannot fail for want of one.
   * @param options - `ifAbsent` (checked at commit, race-free), `durable` (default true), `suffix` for the temp file name
   * @throws InvalidKeyError, PermissionDeniedError, AlreadyExistsError (ifAbsent, early check), ClosedError
   */
  async createLocalFile(key: string, options: WriteOptions & { suffix?: string } = {}): Promise<PendingLocalFile> {
    const k = this.#key(key);
    const tempName = tempNameFor(basename(k), k, options.suffix ?? "");
    if (options.ifAbsent === true) await refuseExisting(this.#target, k);
    const write = await beginWriteByPath(this.#target, k, tempName);
    const pending = posixPendingFile(write, { ifAbsent: options.ifAbsent === true, durable: options.durable !== false }, async (file, committed) => {
      this.#pending.delete(file);
      if (!committed) await pruneEmptyDirs(this.#root, write.dir);
    });
    this.#pending.add(pending);
    return pending;
  }

  /**
   * The filesystem's capacity (statfs of the root) and, with `count`, the files below the root.
   * @throws PermissionDeniedError, StorageError, ClosedError
   */
  async statistics(options: StatisticsOptions = {}): Promise<StorageStatistics> {
    this.#assertOpen();
    let capacity;
    try {
      capacity = await filesystemCapacity(this.#root.path);
    } catch (err) {
      throw translateFsError(err, "(root)", this.uri, "read");
    }
    return options.count === true ? { capacity, ...(await countByListing(this)) } : { capacity };
  }

  /**
   * Removes the temp files that killed writers left beside destinations: a writer of this host
   * that no longer runs, or any file untouched for `olderThanMs` (default a day); see `stale-temps.ts`.
   * @throws ClosedError
   */
  async sweepPendingWrites(options: SweepOptions = {}): Promise<SweepReport> {
    this.#assertOpen();
    return sweepStaleTemps(this.#root.path, options);
  }

  /** Whether a file of the expected size (and validator) is at the key. @throws InvalidKeyError, ClosedError */
  async available(key: string, expected?: AvailableOptions): Promise<boolean> {
    return availableByStat(this, key, expected);
  }

  /** Removes the temp files of uncommitted pending writes; later calls raise ClosedError. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pending = [...this.#pending];
    this.#pending.clear();
    await Promise.all(pending.map((p) => p.abort()));
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`PosixStorage ${this.uri}`);
  }

  /** Normalises a key, first checking the storage is open. */
  #key(key: string): string {
    this.#assertOpen();
    return normalizeKey(key);
  }

  #pathOf(key: string): string {
    return join(this.#root.path, ...key.split("/"));
  }
}

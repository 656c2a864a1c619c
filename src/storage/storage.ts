/**
 * The Storage contract: bytes at a key below a root URI. PosixStorage (`file://`) and SwiftStorage
 * (`swift://`) implement it and pass the same conformance suite
 * (`test/conformance/storage-conformance.ts`, `describeStorageConformance`).
 *
 * Keys are relative, `/`-separated paths ("raw/v1_fg.fits"); see {@link normalizeKey}. Every
 * method raises the same error classes on every backend: {@link NotFoundError} for a missing key,
 * {@link AlreadyExistsError} for `ifAbsent` on an existing key, {@link PermissionDeniedError} when
 * the backend refuses, {@link InvalidKeyError} for a key that is malformed or escapes the root.
 *
 * @packageDocumentation
 */
import type { Readable } from "node:stream";
import type { LocalFile, TempScope } from "../temp/index.js";

/** What {@link Storage.stat} reports about an object. */
export interface ObjectInfo {
  /** The normalised key. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** Last modification time. */
  modified: Date;
  /** An opaque validator that changes when the content changes (Swift: the MD5 ETag). */
  etag?: string;
}

/** Options of every write. */
export interface WriteOptions {
  /** Fail with {@link AlreadyExistsError} instead of replacing an existing object. */
  ifAbsent?: boolean;
  /**
   * Default true: once the write returns, the object survives a crash (POSIX: the file and its
   * directory are fsync'd). False: still atomic for readers — never a partial object — but a crash
   * soon after may lose the object or leave it empty; for copies that can be made again (a pull,
   * checked by size and MD5 when re-run with `--skip-existing`), where the fsyncs cost more than the
   * transfer. Backends whose writes are durable by nature (object stores) ignore it.
   */
  durable?: boolean;
}

/**
 * A byte range of an object: `length` bytes from `offset` (to the end when `length` is omitted).
 * Clamped to the object: a length beyond the end stops at the end, an offset at or beyond the end
 * gives no bytes. A negative or fractional offset or length raises `RangeError` (a programming error).
 */
export interface ByteRange {
  offset: number;
  length?: number;
  /**
   * Read only from the version whose validator ({@link ObjectInfo.etag}) is this: when the object at
   * the key is another version by now, the read raises {@link ChangedError} instead of returning
   * bytes of the new one (HTTP's `If-Match`). How a {@link RangedObject} pins its ranges on a backend
   * that cannot hold a version open.
   */
  ifMatch?: string;
}

/**
 * Random access to ONE version of an object ({@link Storage.openRanged}): every range comes from the
 * version that was current when it was opened, even when the object is replaced meanwhile — or the
 * read fails with {@link ChangedError}; never a mix of two versions. Close it when done.
 */
export interface RangedObject {
  /** Size in bytes of the version opened. */
  readonly size: number;
  /** Validator of the version opened, where the backend has one. */
  readonly etag?: string;
  /**
   * `length` bytes from `offset` of the version opened, clamped to its end like {@link Storage.read}.
   * @throws ChangedError when it was replaced and the backend cannot read the old version any more;
   *   NotFoundError when it was deleted; ClosedError after close; RangeError for a bad range
   */
  read(offset: number, length: number): Promise<Buffer>;
  /** Releases what pins the version (a file descriptor). Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link Storage.list}. */
export interface ListOptions {
  /** Only keys that start with this string (not necessarily a whole path segment). Normalised like a key; `..` etc. raise InvalidKeyError. */
  prefix?: string;
  /**
   * List one level only: keys below the next `/` after the prefix are rolled up into one entry
   * ending in `/` (Swift's `delimiter=/`). Default false: every object key below the prefix.
   */
  shallow?: boolean;
}

/** Options of {@link PendingLocalFile.commit}. */
export interface CommitOptions {
  /**
   * Runs the publishing step — a synchronous function (a rename) — inside the caller's critical
   * section, e.g. a sqlite transaction that records the dataset, so that the record and the file
   * appear together or not at all. A backend whose publishing is asynchronous (an upload) publishes
   * first and then calls `around` with a no-op, so the record still never precedes the object.
   */
  around?: (publish: () => void) => void;
}

/**
 * A local file being written that becomes the object at `key` only on {@link commit} — atomically:
 * a reader sees the old object or the new one, never a partial one.
 */
export interface PendingLocalFile {
  /** Where to write. For PosixStorage a temp file beside the destination, else a temp file. */
  readonly path: string;
  /**
   * Present when the commit needs checksums of the content (Swift's MD5 `ETag`, a dataset
   * record's SHA-256). A writer that produces the file as a stream passes every byte to it, in
   * file order, as it writes, so they are computed on the way instead of by reading the file back.
   * The commit uses them only if the bytes seen add up to the file's size; otherwise it reads.
   * It may return a promise when its hashing is behind (see `OffThreadHash`): a writer that can
   * wait awaits it, which keeps memory bounded; the bytes are copied or hashed before it returns,
   * so the writer may reuse its buffer at once either way.
   */
  readonly observe?: (bytes: Uint8Array) => void | Promise<void>;
  /**
   * Publishes the file as the object at the key (fsync + rename, or upload with its checksum); the
   * local path is gone afterwards. On failure the file is discarded too.
   * @throws AlreadyExistsError (with ifAbsent, checked here), PermissionDeniedError
   */
  commit(options?: CommitOptions): Promise<void>;
  /** Discards the file; a no-op after commit or a previous abort. */
  abort(): Promise<void>;
  /** Aborts unless committed: `await using pending = await storage.createLocalFile(key)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * What a backend can do beyond the common contract, so that layers above ask the storage instead of
 * testing its scheme (as unstorage's driver `flags` and daf_butler's `can_read_from_*` do).
 */
export interface StorageCapabilities {
  /**
   * `getLocalFile` returns the object's own file, not a copy, and a file at that path may be
   * opened for writing in place (a sqlite database beside the datasets). Posix: true.
   */
  readonly localPath: boolean;
  /** Objects carry user metadata: {@link Storage.getMetadata} and {@link Storage.setMetadata} exist. */
  readonly metadata: boolean;
  /**
   * A ranged `read`/`readStream` transfers only the bytes asked for (a file seek, an HTTP Range
   * request), so header-only and sub-image reads are cheap. Without it a range may cost the whole object.
   */
  readonly rangedRead: boolean;
}

/** Options of {@link Storage.getLocalFile}. */
export interface LocalFileOptions {
  /**
   * The caller will ask for this object again and again (a registry opened with every repository):
   * a remote backend keeps its copy and revalidates it (an ETag check) instead of downloading it
   * again. Backends whose objects are local files ignore it.
   */
  revalidate?: boolean;
}

/** Capacity of the medium below a storage, in bytes (what an administrator's UI shows). */
export interface StorageCapacity {
  total: number;
  used: number;
  free: number;
}

/**
 * What {@link Storage.statistics} reports. `capacity` is null where the backend has no notion of
 * one (an S3 bucket, a Swift account without a quota). Wrappers add their own figures (a dedup
 * ratio, cache hits) under their own names.
 */
export interface StorageStatistics {
  capacity: StorageCapacity | null;
  /** Objects below the root (only when counted: see {@link StatisticsOptions.count}). */
  objects?: number;
  /** Bytes of those objects. */
  bytes?: number;
  [figure: string]: unknown;
}

/** What {@link Storage.sweepPendingWrites} removes. */
export interface SweepOptions {
  /** Files of any writer untouched this long are stale (default: a day). */
  olderThanMs?: number;
  /** Count what would be removed, remove nothing. */
  dryRun?: boolean;
}

/** What a sweep found (and removed, unless it was a dry run). */
export interface SweepReport {
  files: number;
  bytes: number;
}

/** Options of {@link Storage.statistics}. */
export interface StatisticsOptions {
  /** Also count the objects and bytes below the root (a full listing on most backends). Default false. */
  count?: boolean;
}

/**
 * What the caller expects of an object in {@link Storage.available}: each given field must match
 * (`etag` only means something between storages of one kind).
 */
export interface AvailableOptions {
  size?: number;
  etag?: string;
}

/** A storlet to run on an object where it is stored ({@link Storage.invokeStorlet}). */
export interface StorletCall {
  /** The storlet's object name, e.g. `fitscutout.js` (upstream's `X-Run-Storlet`). */
  storlet: string;
  /** Its parameters. */
  params: Readonly<Record<string, string>>;
}

/** What a storlet run where the data is produced. */
export interface RemoteStorletOutput {
  /** The storlet's metadata (keys as it set them). */
  metadata: Record<string, string>;
  /** Its output; fails with a StorletError when the storlet fails after its first byte. */
  body: Readable;
}

/** Options given to a Storage factory. */
export interface StorageOptions {
  /** Create the root (directory, container) when it does not exist. Default false. */
  create?: boolean;
  /** Scope of the temp files this storage makes (downloads, pending writes); a private one by default. */
  tempScope?: TempScope;
  /** Backend-specific settings (e.g. Swift credentials), passed through from repository arguments. */
  [option: string]: unknown;
}

/** The one Storage API every backend implements. */
export interface Storage {
  /** The URI scheme this storage serves, e.g. `file`. */
  readonly scheme: string;
  /** The normalised root URI, e.g. `file:///data/repo`. */
  readonly uri: string;
  /** What this backend can do beyond the common contract. */
  readonly capabilities: StorageCapabilities;

  /** The absolute URI of a key (what `getUri` and `_filename` report). @throws InvalidKeyError */
  uriOf(key: string): string;

  /** Whether an object exists at the key. @throws InvalidKeyError */
  exists(key: string): Promise<boolean>;
  /** Size, time and validator of an object. @throws NotFoundError, InvalidKeyError */
  stat(key: string): Promise<ObjectInfo>;

  /** The whole object (or a range of it) in memory; reads only the bytes asked for. @throws NotFoundError, InvalidKeyError, RangeError */
  read(key: string, range?: ByteRange): Promise<Buffer>;
  /** A stream of the object's bytes (or a range); the error for a missing key is raised before it returns. @throws NotFoundError, InvalidKeyError, RangeError */
  readStream(key: string, range?: ByteRange): Promise<Readable>;
  /**
   * Random access to the object's current version, for reads of many ranges (a FITS header, then
   * a few rows): a replacement during the read never mixes versions — PosixStorage holds the file
   * open; remote backends send every range with `If-Match` and fail with ChangedError.
   * @throws NotFoundError, InvalidKeyError, ClosedError
   */
  openRanged(key: string): Promise<RangedObject>;

  /** Writes an object atomically, making parent "directories" as needed. @throws AlreadyExistsError (with ifAbsent), PermissionDeniedError, InvalidKeyError */
  write(key: string, data: Uint8Array | string, options?: WriteOptions): Promise<void>;
  /**
   * Writes an object from a stream, atomically; memory stays flat. When the source fails, its own
   * error is rethrown unchanged and the old object (if any) is left as it was.
   * @throws AlreadyExistsError (with ifAbsent), PermissionDeniedError, InvalidKeyError
   */
  writeStream(key: string, source: Readable | AsyncIterable<Uint8Array>, options?: WriteOptions): Promise<void>;

  /** Deletes an object. @throws NotFoundError when there is none, PermissionDeniedError, InvalidKeyError */
  delete(key: string): Promise<void>;
  /**
   * Keys below a prefix, in ascending UTF-8 byte order. Never lists pending writes (temp files,
   * uploads in flight) nor "directories" that hold no object. A missing prefix lists nothing.
   * @throws InvalidKeyError for a malformed prefix (when called or on the first iteration)
   */
  list(options?: ListOptions): AsyncIterable<string>;
  /** Copies an object within this storage, atomically at the destination. @throws NotFoundError (missing source), AlreadyExistsError, PermissionDeniedError, InvalidKeyError */
  copy(from: string, to: string, options?: WriteOptions): Promise<void>;

  /**
   * A refcounted local file holding the object's bytes: PosixStorage gives the file itself, a
   * remote storage downloads it into a temp file shared by concurrent callers and deleted when the
   * last lease is released. Release it when done.
   * @param options - `revalidate` for objects asked for again and again (registries)
   * @throws NotFoundError, InvalidKeyError
   */
  getLocalFile(key: string, options?: LocalFileOptions): Promise<LocalFile>;
  /**
   * Stores a local file (left in place) as the object at the key, atomically.
   * @throws NotFoundError naming the local path when that file is missing
   * @throws AlreadyExistsError (with ifAbsent), PermissionDeniedError, InvalidKeyError
   */
  putLocalFile(localPath: string, key: string, options?: WriteOptions): Promise<void>;
  /**
   * A local file to write that becomes the object at the key on commit: the writer never needs to
   * know whether the bytes go to disk or to a server.
   * @param options - `suffix` for the temp file name, `ifAbsent` checked at commit
   */
  createLocalFile(key: string, options?: WriteOptions & { suffix?: string }): Promise<PendingLocalFile>;

  /**
   * The user metadata of an object (keys lower-case), where {@link StorageCapabilities.metadata}
   * says objects have it.
   * @throws NotFoundError, InvalidKeyError
   */
  getMetadata?(key: string): Promise<Record<string, string>>;
  /**
   * Replaces the user metadata of an object, where {@link StorageCapabilities.metadata} says
   * objects have it.
   * @throws NotFoundError, InvalidKeyError, PermissionDeniedError
   */
  setMetadata?(key: string, metadata: Readonly<Record<string, string>>): Promise<void>;

  /**
   * Runs a storlet on an object where it is stored (a Swift behind skybutler's storlet gateway, a
   * skybutler server), so only the storlet's output travels. Resolves to undefined when the backend
   * cannot run it there (no gateway, storlets disabled for the account or repository, storlet not
   * deployed): the caller then runs it locally, with the same result.
   * @throws StorletError when the storlet ran there and failed; NotFoundError, InvalidKeyError
   */
  invokeStorlet?(key: string, call: StorletCall): Promise<RemoteStorletOutput | undefined>;

  /**
   * Removes what killed writers left of their pending writes (temp files beside destinations on
   * POSIX): those whose writer process is known to be gone, and any untouched for
   * `olderThanMs`. Only backends that leave such files have it (an object store publishes whole
   * objects or nothing). `skybutler fsck --repair` calls it.
   * @throws ClosedError
   */
  sweepPendingWrites?(options?: SweepOptions): Promise<SweepReport>;

  /**
   * Capacity of the medium (statfs, an account quota) and, when asked to count, the objects and
   * bytes below the root. Wrappers add their own figures.
   * @throws PermissionDeniedError, StorageError when the backend cannot be asked, ClosedError
   */
  statistics(options?: StatisticsOptions): Promise<StorageStatistics>;
  /**
   * Whether the object is already there as expected (Mezeo's `available`: then a replication can
   * skip it): it exists and has the given `size` and `etag` (each only when given).
   * @throws InvalidKeyError, ClosedError
   */
  available(key: string, expected?: AvailableOptions): Promise<boolean>;

  /**
   * Releases what the storage holds (temp files, connections) and discards uncommitted pending
   * local files. Later calls of every method (`uriOf` too) raise ClosedError; closing twice is a no-op.
   */
  close(): Promise<void>;
}

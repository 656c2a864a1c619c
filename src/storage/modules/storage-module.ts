/**
 * The vendor-module contract (Mezeo's storage modules): seven methods on opaque "module data"
 * strings. skybutler keeps the key → module-data index itself and turns a {@link StorageModule}
 * into a full {@link Storage} (see `module-storage.ts`).
 *
 * @packageDocumentation
 */
import type { LocalFile, TempScope } from "../../temp/index.js";
import type { StorageCapacity } from "../storage.js";

/** A value or a promise of it: every module method may be synchronous or asynchronous. */
export type MaybePromise<T> = T | Promise<T>;

/** Where a module writes what it has to say; a line each, never a secret. */
export interface ModuleLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What every module method gets first: a logger and temp-file helpers of skybutler's temp scope. */
export interface ModuleContext {
  /** The module's configured NAME (its URI scheme). */
  readonly name: string;
  readonly logger: ModuleLogger;
  /** A new empty temp file (mode 0600), deleted on release, on storage close or at process exit. */
  tempFile(options?: { suffix?: string }): Promise<LocalFile>;
  /** The scope behind {@link ModuleContext.tempFile}, for helpers that take one. */
  readonly tempScope: TempScope;
}

/**
 * What {@link StorageModule.getReadStream} returns: Mezeo's file-like reader.
 * `read(size)` returns up to `size` bytes (all the rest when omitted) and an empty array at the end.
 */
export interface ModuleReadStream {
  read(size?: number): MaybePromise<Uint8Array>;
  seek(offset: number): MaybePromise<void>;
  close(): MaybePromise<void>;
}

/** What {@link StorageModule.statistics} returns: JSON with a `capacity` that UIs show. */
export interface ModuleStatistics {
  capacity: StorageCapacity | null;
  [figure: string]: unknown;
}

/**
 * A vendor storage module: extend this class, implement the seven methods, and configure it in
 * `storage-modules.yaml` (`NAME: {module: "my-package#MyModule", args: {...}}`); `NAME://root`
 * then opens a Storage on it. One instance serves the whole process; it is constructed with the
 * entry's `args`. Each method gets a {@link ModuleContext} first and may be sync or async.
 *
 * ```ts
 * export class DirectoryModule extends StorageModule {
 *   constructor(args: Record<string, unknown>) { super(args); this.dir = String(args.dir); }
 *   newData() { return randomUUID(); }
 *   async assign(ctx, data, stream) { await pipeline(Readable.from(stream), createWriteStream(join(this.dir, data))); }
 *   available(ctx, data) { return existsSync(join(this.dir, data)); }
 *   getReadStream(ctx, data) { return new FileReader(join(this.dir, data)); }
 *   delete(ctx, data) { rmSync(join(this.dir, data)); }
 *   getSize(ctx, data) { return statSync(join(this.dir, data)).size; }
 *   statistics() { return { capacity: null }; }
 * }
 * ```
 *
 * Errors: throw skybutler's own classes, or Node's errno errors (EACCES/EPERM become
 * PermissionDeniedError, ENOENT NotFoundError); anything else becomes a StorageError naming the
 * module. A method that returns the wrong kind of value is a ConfigError naming the module.
 */
export abstract class StorageModule {
  /** The `args` of the module's configuration entry (Mezeo's `**kwargs`). */
  protected readonly args: Readonly<Record<string, unknown>>;

  /** @param args - the `args` object of the configuration entry (an empty object when absent) */
  constructor(args: Readonly<Record<string, unknown>> = {}) {
    this.args = args;
  }

  /** Allocates a new, unused module-data string (an id, a path): where the next `assign` stores. */
  abstract newData(ctx: ModuleContext): MaybePromise<string>;
  /** Stores the bytes of `stream` under `data` (a new one, from `newData`). */
  abstract assign(ctx: ModuleContext, data: string, stream: AsyncIterable<Uint8Array>): MaybePromise<void>;
  /** Whether `data` is already stored whole (then a replication may skip it). */
  abstract available(ctx: ModuleContext, data: string): MaybePromise<boolean>;
  /** A reader of the bytes stored under `data`. */
  abstract getReadStream(ctx: ModuleContext, data: string): MaybePromise<ModuleReadStream>;
  /** Removes what is stored under `data`. */
  abstract delete(ctx: ModuleContext, data: string): MaybePromise<void>;
  /** Bytes stored under `data` (validates ranges; checked against what `assign` received). */
  abstract getSize(ctx: ModuleContext, data: string): MaybePromise<number>;
  /** Figures about the medium: at least `capacity` (`{total, used, free}` in bytes, or null). */
  abstract statistics(ctx: ModuleContext): MaybePromise<ModuleStatistics>;
}

/** The seven method names, for contract checks. */
export const MODULE_METHODS = ["newData", "assign", "available", "getReadStream", "delete", "getSize", "statistics"] as const;

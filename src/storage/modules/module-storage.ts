/**
 * ModuleStorage: a {@link StorageModule} (seven methods on opaque module-data strings) as a full
 * {@link Storage}. skybutler keeps the key → module-data index (sqlite) and gives what the module
 * does not: keys, listing, atomic replace (new data first, then the index row in one transaction,
 * then the old data deleted), `ifAbsent`, ranges (seek + read), local files.
 *
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import {
  AlreadyExistsError,
  ButlerError,
  ConfigError,
  IntegrityError,
  NotFoundError,
  PermissionDeniedError,
  StorageError,
} from "../../errors.js";
import type { ClampedRange } from "../byte-range.js";
import type { ObjectInfo, StatisticsOptions, StorageCapabilities, StorageOptions, StorageStatistics } from "../storage.js";
import { changedError } from "../ranged-object.js";
import { StreamStorage, type ByteSource } from "../stream-storage.js";
import { moduleContext } from "./module-context.js";
import { ModuleIndex, type IndexRow } from "./module-index.js";
import type { ModuleContext, ModuleReadStream, ModuleStatistics, StorageModule } from "./storage-module.js";

/** Bytes asked of a module's reader at once. */
const READ_SIZE = 1024 * 1024;

/** What {@link ModuleStorage.open} needs. */
export interface ModuleStorageInit {
  /** The module's NAME (the URI scheme). */
  name: string;
  /** The module instance (one per process). */
  module: StorageModule;
  /** `NAME://root` (canonical). */
  uri: string;
  /** The root below the module: a namespace of the index. */
  root: string;
  /** The sqlite index file. */
  indexPath: string;
}

/**
 * A Storage over a vendor module. Opened by `storageFromUri("NAME://root")` when NAME is
 * configured in `storage-modules.yaml` with a {@link StorageModule} class.
 *
 * ```ts
 * const storage = await storageFromUri("vendor://repo1", { create: true });
 * await storage.write("raw/v1.fits", bytes);
 * ```
 */
export class ModuleStorage extends StreamStorage {
  readonly scheme: string;
  readonly uri: string;
  /** Objects are module data: no local path, no user metadata; ranges seek. */
  readonly capabilities: StorageCapabilities = { localPath: false, metadata: false, rangedRead: true };
  readonly #name: string;
  readonly #module: StorageModule;
  readonly #root: string;
  readonly #index: ModuleIndex;
  readonly #ctx: ModuleContext;

  private constructor(init: ModuleStorageInit, index: ModuleIndex, options: StorageOptions) {
    super(options);
    this.scheme = init.name;
    this.uri = init.uri;
    this.#name = init.name;
    this.#module = init.module;
    this.#root = init.root;
    this.#index = index;
    this.#ctx = moduleContext(init.name, this.tempScope);
  }

  /**
   * Opens the storage; deletes module data that a crashed process left half written.
   * @throws NotFoundError when the root was never created and `create` is not set
   * @throws ConfigError when the index cannot be opened
   */
  static async open(init: ModuleStorageInit, options: StorageOptions = {}): Promise<ModuleStorage> {
    const index = new ModuleIndex(init.indexPath, init.name);
    if (!index.hasRoot(init.root)) {
      if (options.create !== true) {
        index.close();
        throw new NotFoundError("", `${init.uri} (no such root of storage module "${init.name}"; open it with create to make it)`);
      }
      index.addRoot(init.root);
    }
    const storage = new ModuleStorage(init, index, options);
    await storage.#removeAbandoned();
    return storage;
  }

  /** The module's NAME. */
  get moduleName(): string {
    return this.#name;
  }

  protected async statKey(key: string): Promise<ObjectInfo> {
    const row = this.#row(key);
    return { key, size: row.size, modified: new Date(row.modified), etag: row.etag };
  }

  protected async openRange(key: string, range: ClampedRange, info: ObjectInfo): Promise<Readable> {
    const row = this.#row(key);
    // replaced since the stat: its data may be gone, and a range of the new one would splice versions
    if (row.etag !== info.etag) throw changedError(key, this.uri);
    const reader = await this.#call("getReadStream", key, () => this.#module.getReadStream(this.#ctx, row.data));
    if (reader === null || typeof reader !== "object" || typeof reader.read !== "function" || typeof reader.seek !== "function" || typeof reader.close !== "function") {
      throw this.#broken("getReadStream must return an object with read(size), seek(offset) and close()");
    }
    try {
      if (range.start > 0) await this.#call("seek", key, () => reader.seek(range.start));
    } catch (err) {
      await Promise.resolve(reader.close()).catch(() => undefined);
      throw err;
    }
    return Readable.from(this.#chunks(key, reader, range.length), { objectMode: false });
  }

  async *#chunks(key: string, reader: ModuleReadStream, length: number): AsyncGenerator<Buffer> {
    let left = length;
    try {
      while (left > 0) {
        const chunk = await this.#call("read", key, () => reader.read(Math.min(READ_SIZE, left)));
        if (!(chunk instanceof Uint8Array)) throw this.#broken("read(size) must return a Uint8Array");
        if (chunk.byteLength === 0) throw new IntegrityError(`storage module "${this.#name}" returned ${length - left} of the ${length} bytes asked of "${key}" in ${this.uri}`);
        const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.byteLength, left));
        left -= bytes.length;
        yield bytes;
      }
    } finally {
      await Promise.resolve(reader.close()).catch(() => undefined);
    }
  }

  protected async writeKey(key: string, source: ByteSource, ifAbsent: boolean): Promise<void> {
    const data = await this.#call("newData", key, () => this.#module.newData(this.#ctx));
    if (typeof data !== "string" || data === "") throw this.#broken("newData must return a non-empty string");
    this.#index.beginPending(data);
    let received = 0;
    const counted = (async function* () {
      for await (const chunk of source) {
        received += chunk.byteLength;
        yield chunk;
      }
    })();
    let published = false;
    try {
      await this.#call("assign", key, () => this.#module.assign(this.#ctx, data, counted));
      const size = await this.#call("getSize", key, () => this.#module.getSize(this.#ctx, data));
      if (size !== received) throw this.#broken(`assign stored ${String(size)} bytes of the ${received} it was given (getSize)`);
      const row: IndexRow = { key, data, size, modified: Date.now(), etag: randomBytes(12).toString("hex") };
      const old = this.#index.publish(this.#root, row, ifAbsent);
      if (old === false) throw new AlreadyExistsError(key, this.uri);
      published = true;
      if (old !== null) await this.#forget(old);
    } finally {
      if (!published) {
        await this.#forget(data);
      }
    }
  }

  protected async deleteKey(key: string): Promise<void> {
    const row = this.#index.remove(this.#root, key);
    if (row === undefined) throw new NotFoundError(key, this.uri);
    try {
      await this.#call("delete", key, () => this.#module.delete(this.#ctx, row.data));
    } catch (err) {
      // the module kept the bytes (a refusal): so does the index
      this.#index.restore(this.#root, row);
      throw err;
    }
  }

  protected async *listKeys(prefix: string, shallow: boolean): AsyncIterable<string> {
    let from = prefix;
    let after = "";
    pages: for (;;) {
      this.assertOpen();
      const keys = this.#index.page(this.#root, from, after);
      if (keys.length === 0) return;
      for (const key of keys) {
        if (!key.startsWith(prefix)) return;
        const slash = shallow ? key.indexOf("/", prefix.length) : -1;
        if (slash < 0) {
          after = key;
          yield key;
          continue;
        }
        yield key.slice(0, slash + 1);
        // every key below "dir/" sorts before "dir0" ("/" + 1 is "0"): skip them in one step
        from = `${key.slice(0, slash)}0`;
        after = "";
        continue pages;
      }
    }
  }

  protected async statisticsOf(options: StatisticsOptions): Promise<StorageStatistics> {
    const stats = (await this.#call("statistics", "", () => this.#module.statistics(this.#ctx))) as ModuleStatistics;
    if (stats === null || typeof stats !== "object" || !("capacity" in stats)) throw this.#broken("statistics must return an object with capacity: {total, used, free} or null");
    const capacity = stats.capacity;
    if (capacity !== null && (typeof capacity !== "object" || !["total", "used", "free"].every((f) => typeof (capacity as unknown as Record<string, unknown>)[f] === "number"))) {
      throw this.#broken("statistics().capacity must be {total, used, free} in bytes, or null");
    }
    const { capacity: _, ...figures } = stats;
    return { capacity, module: figures, ...(options.count === true ? this.#index.count(this.#root) : {}) };
  }

  /** Whether the key's data is still stored whole (the module's `available`), of the expected size. */
  override async available(key: string, expected: { size?: number; etag?: string } = {}): Promise<boolean> {
    const k = this.key(key);
    const row = this.#index.get(this.#root, k);
    if (row === undefined) return false;
    if (expected.size !== undefined && row.size !== expected.size) return false;
    if (expected.etag !== undefined && row.etag !== expected.etag) return false;
    const ok = await this.#call("available", k, () => this.#module.available(this.#ctx, row.data));
    if (typeof ok !== "boolean") throw this.#broken("available must return a boolean");
    return ok;
  }

  protected async closeResources(): Promise<void> {
    this.#index.close();
  }

  // ------------------------------------------------------------------ internals

  #row(key: string): IndexRow {
    const row = this.#index.get(this.#root, key);
    if (row === undefined) throw new NotFoundError(key, this.uri);
    return row;
  }

  /** Deletes module data that is no longer (or never was) published; a failure is logged, not raised. */
  async #forget(data: string): Promise<void> {
    try {
      await this.#module.delete(this.#ctx, data);
      this.#index.endPending(data);
    } catch (err) {
      // never stored (the source failed before the module created anything): nothing to delete
      if ((err as NodeJS.ErrnoException)?.code === "ENOENT") this.#index.endPending(data);
      else this.#ctx.logger.warn(`could not delete unused module data: ${(err as Error).message}`);
    }
  }

  async #removeAbandoned(): Promise<void> {
    for (const data of this.#index.abandoned()) await this.#forget(data);
  }

  /** Runs a module method, turning its failures into skybutler's classes. */
  async #call<T>(method: string, key: string, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.#translate(err, method, key);
    }
  }

  #translate(err: unknown, method: string, key: string): unknown {
    if (err instanceof ButlerError) return err;
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") return new PermissionDeniedError(key, this.uri, { cause: err });
    if (code === "ENOENT" && method !== "assign") return new NotFoundError(key, this.uri, { cause: err });
    const what = err instanceof Error ? err.message : String(err);
    return new StorageError(`storage module "${this.#name}" failed in ${method}${key === "" ? "" : ` of "${key}"`} (${this.uri}): ${what}`, { cause: err });
  }

  #broken(what: string): ConfigError {
    return new ConfigError(`storage module "${this.#name}" breaks the StorageModule contract: ${what}`);
  }
}

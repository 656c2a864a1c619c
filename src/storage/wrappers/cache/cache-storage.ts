/**
 * `skybutler:cache`: a remote storage with a bounded local cache in front (see
 * {@link DiskObjectCache}). Whole reads and local files come from the cache when its copy has the
 * object's current ETag (one `stat` of the remote per use); a ranged read of an object not cached
 * goes to the remote for just those bytes (a FITS header read must not pull the whole file).
 * Writes and deletes go to the remote and drop the cached copy.
 *
 * ```yaml
 * cached: {module: "skybutler:cache", args: {over: "swift://", maxBytes: 10737418240}}
 * ```
 *
 * @packageDocumentation
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { ClosedError } from "../../../errors.js";
import type { LocalFile } from "../../../temp/index.js";
import { checkRange, clampRange } from "../../byte-range.js";
import { normalizeKey } from "../../keys.js";
import { etagPinnedObject, requireVersion } from "../../ranged-object.js";
import { skybutlerCacheDir } from "../../modules/modules-file.js";
import { resolveFrom } from "../../modules/module-schemes.js";
import type { ByteRange, LocalFileOptions, ObjectInfo, RangedObject, StatisticsOptions, Storage, StorageCapabilities, StorageOptions, StorageStatistics, WriteOptions } from "../../storage.js";
import { StorageDecorator } from "../../storage-decorator.js";
import { writeToFile } from "../../stream-storage.js";
import { integerArg, openInner, overOf, wrapperConfig } from "../wrapper-support.js";
import { DiskObjectCache } from "../../disk-object-cache.js";

const DEFAULT_MAX_BYTES = 1024 ** 3;

/**
 * The `skybutler:cache` factory. Args: `over`; `dir` (default `$XDG_CACHE_HOME/skybutler`);
 * `maxBytes` (default 1 GiB).
 * @throws ConfigError for malformed args
 */
export async function openCacheStorage(uri: string, options: StorageOptions): Promise<CacheStorage> {
  const config = wrapperConfig("cache", uri, options);
  const over = overOf(config);
  const dir = typeof config.args.dir === "string" ? resolveFrom(config.file, config.args.dir) : skybutlerCacheDir();
  const maxBytes = integerArg(config, "maxBytes", DEFAULT_MAX_BYTES, 0);
  const inner = await openInner(config, over);
  return new CacheStorage(config.name, config.uri.uri, inner, new DiskObjectCache(dir, maxBytes));
}

/** A remote storage read through a local disk cache. */
export class CacheStorage extends StorageDecorator {
  readonly #scheme: string;
  readonly #uri: string;
  readonly #cache: DiskObjectCache;
  readonly #capabilities: StorageCapabilities;
  #closed = false;

  constructor(scheme: string, uri: string, inner: Storage, cache: DiskObjectCache) {
    super(inner);
    this.#scheme = scheme;
    this.#uri = uri;
    this.#cache = cache;
    this.#capabilities = { localPath: false, metadata: inner.capabilities.metadata, rangedRead: inner.capabilities.rangedRead };
    if (!inner.capabilities.metadata) {
      // the decorator forwards metadata calls; without metadata below, this storage has none
      Object.defineProperty(this, "getMetadata", { value: undefined });
      Object.defineProperty(this, "setMetadata", { value: undefined });
    }
  }

  override get scheme(): string {
    return this.#scheme;
  }
  override get uri(): string {
    return this.#uri;
  }
  override get capabilities(): StorageCapabilities {
    return this.#capabilities;
  }

  /** The cache below this storage (for statistics and tests). */
  get cache(): DiskObjectCache {
    return this.#cache;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`CacheStorage ${this.#uri}`);
  }

  #key(key: string): string {
    this.#assertOpen();
    return normalizeKey(key);
  }

  override uriOf(key: string): string {
    return `${this.#uri}/${this.#key(key)}`;
  }

  /** The cached copy of the object's current version (filled when missing), or undefined when it is not cacheable. */
  async #entry(key: string, info: ObjectInfo): Promise<string | undefined> {
    if (info.etag === undefined) return undefined;
    return this.#cache.entry(this.inner.uriOf(key), info.etag, info.size, async (path) => {
      // pinned: the copy kept under this ETag must be that version's bytes, not a newer one's
      await writeToFile(await this.inner.readStream(key, { offset: 0, ifMatch: info.etag! }), path);
    });
  }

  override async read(key: string, range?: ByteRange): Promise<Buffer> {
    return Buffer.concat(await (await this.readStream(key, range)).toArray());
  }

  override async readStream(key: string, range?: ByteRange): Promise<Readable> {
    const k = this.#key(key);
    checkRange(range);
    const info = await this.inner.stat(k);
    requireVersion(range?.ifMatch, info, k, this.#uri);
    const { start, length } = clampRange(range, info.size);
    if (length === 0) return Readable.from([]);
    const whole = start === 0 && length === info.size;
    const path = whole ? await this.#entry(k, info) : await this.#cachedOnly(k, info);
    const below = { offset: start, length, ...(range?.ifMatch === undefined ? {} : { ifMatch: range.ifMatch }) };
    if (path === undefined) return this.inner.readStream(k, below);
    // opened now: an eviction after this point does not take the bytes away
    const handle = await open(path, "r").catch(() => undefined);
    if (handle === undefined) return this.inner.readStream(k, below);
    return createReadStream("", { fd: handle, start, end: start + length - 1 });
  }

  /** Ranged reads pinned to the current ETag, from the cached copy of that version where there is one. */
  override async openRanged(key: string): Promise<RangedObject> {
    return etagPinnedObject(this, key);
  }

  /** A valid cached copy without filling one (for ranged reads). */
  async #cachedOnly(key: string, info: ObjectInfo): Promise<string | undefined> {
    if (info.etag === undefined) return undefined;
    return this.#cache.lookup(this.inner.uriOf(key), info.etag);
  }

  /** A hard link to the cached copy (revalidated by ETag), shared with later processes. */
  override async getLocalFile(key: string, options: LocalFileOptions = {}): Promise<LocalFile> {
    const k = this.#key(key);
    const info = await this.inner.stat(k);
    const path = await this.#entry(k, info);
    if (path !== undefined) {
      try {
        return await this.#cache.lease(path);
      } catch {
        // evicted between the fill and the link: fall through to a plain download
      }
    }
    return this.inner.getLocalFile(k, options);
  }

  override async write(key: string, data: Uint8Array | string, options?: WriteOptions): Promise<void> {
    const k = this.#key(key);
    await this.inner.write(k, data, options);
    await this.#cache.invalidate(this.inner.uriOf(k));
  }

  override async writeStream(key: string, source: Readable | AsyncIterable<Uint8Array>, options?: WriteOptions): Promise<void> {
    const k = this.#key(key);
    await this.inner.writeStream(k, source, options);
    await this.#cache.invalidate(this.inner.uriOf(k));
  }

  override async delete(key: string): Promise<void> {
    const k = this.#key(key);
    await this.inner.delete(k);
    await this.#cache.invalidate(this.inner.uriOf(k));
  }

  override async statistics(options?: StatisticsOptions): Promise<StorageStatistics> {
    this.#assertOpen();
    return { ...(await this.inner.statistics(options)), cache: await this.#cache.figures() };
  }

  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache.close();
    await this.inner.close();
  }
}

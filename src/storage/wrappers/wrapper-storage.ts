/**
 * The base of the wrappers that store each object as one transformed object of the storage below
 * (checksum, encrypt): same keys, same listing, same deletes and copies; only the bytes differ.
 *
 * @packageDocumentation
 */
import type { ObjectInfo, StatisticsOptions, Storage, StorageCapabilities, StorageOptions, StorageStatistics } from "../storage.js";
import { StreamStorage } from "../stream-storage.js";

/** A wrapper whose objects are objects of `inner` at the same keys. */
export abstract class WrapperStorage extends StreamStorage {
  readonly scheme: string;
  readonly uri: string;
  readonly capabilities: StorageCapabilities;
  /** The user metadata of the object below, where the storage below keeps metadata. */
  getMetadata?: (key: string) => Promise<Record<string, string>>;
  /** Replaces the user metadata of the object below, where the storage below keeps metadata. */
  setMetadata?: (key: string, metadata: Readonly<Record<string, string>>) => Promise<void>;
  /** The storage below. */
  protected readonly inner: Storage;

  /**
   * @param scheme - the module NAME
   * @param uri - the canonical `NAME://root`
   * @param inner - the storage below (closed with this one)
   * @param options - temp scope
   */
  constructor(scheme: string, uri: string, inner: Storage, options: StorageOptions = {}) {
    super(options);
    this.scheme = scheme;
    this.uri = uri;
    this.inner = inner;
    // objects below are transformed: never the caller's bytes as a file, whatever the storage below
    this.capabilities = { localPath: false, metadata: inner.capabilities.metadata, rangedRead: inner.capabilities.rangedRead };
    if (inner.capabilities.metadata && inner.getMetadata !== undefined && inner.setMetadata !== undefined) {
      const get = inner.getMetadata.bind(inner);
      const set = inner.setMetadata.bind(inner);
      this.getMetadata = async (key) => get(this.key(key));
      this.setMetadata = async (key, metadata) => set(this.key(key), metadata);
    }
  }

  protected async deleteKey(key: string): Promise<void> {
    await this.inner.delete(key);
  }

  protected listKeys(prefix: string, shallow: boolean): AsyncIterable<string> {
    return this.inner.list({ prefix, shallow });
  }

  /** A server-side copy below: the transformed bytes are valid at any key. */
  protected override async copyKey(from: string, to: string, ifAbsent: boolean): Promise<void> {
    await this.inner.copy(from, to, { ifAbsent });
  }

  protected async statisticsOf(options: StatisticsOptions): Promise<StorageStatistics> {
    const below = await this.inner.statistics(options);
    if (options.count !== true) return { ...below, [this.figureName()]: {} };
    // objects count alike; bytes are the callers', not the stored ones
    let bytes = 0;
    let objects = 0;
    for await (const key of this.inner.list()) {
      bytes += (await this.statKey(key)).size;
      objects++;
    }
    return { ...below, objects, bytes, [this.figureName()]: { storedBytes: below.bytes } };
  }

  /** Where this wrapper's own figures go in statistics. */
  protected abstract figureName(): string;

  protected async closeResources(): Promise<void> {
    await this.inner.close();
  }

  /** The pin of reads below to the version `info` was made from (its validator is the one below). */
  protected pinOf(info: ObjectInfo): { ifMatch?: string } {
    return info.etag === undefined ? {} : { ifMatch: info.etag };
  }

  /** The stat of the object below. */
  protected innerStat(key: string): Promise<ObjectInfo> {
    return this.inner.stat(key);
  }
}

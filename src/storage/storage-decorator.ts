/**
 * A Storage that forwards every call to another one: the base for wrappers that change one or two
 * behaviours (recording puts, write-once checks, fault injection in tests).
 *
 * @packageDocumentation
 */
import type { Readable } from "node:stream";
import { UnsupportedOperationError } from "../errors.js";
import type { LocalFile } from "../temp/index.js";
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
  StorageStatistics,
  SweepOptions,
  SweepReport,
  WriteOptions,
} from "./storage.js";

/** Forwards everything to `inner`; subclasses override what they change. */
export class StorageDecorator implements Storage {
  /** @param inner - the storage that does the work */
  constructor(protected readonly inner: Storage) {}

  get scheme(): string {
    return this.inner.scheme;
  }
  get uri(): string {
    return this.inner.uri;
  }
  get capabilities(): StorageCapabilities {
    return this.inner.capabilities;
  }
  uriOf(key: string): string {
    return this.inner.uriOf(key);
  }
  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }
  stat(key: string): Promise<ObjectInfo> {
    return this.inner.stat(key);
  }
  read(key: string, range?: ByteRange): Promise<Buffer> {
    return this.inner.read(key, range);
  }
  readStream(key: string, range?: ByteRange): Promise<Readable> {
    return this.inner.readStream(key, range);
  }
  openRanged(key: string): Promise<RangedObject> {
    return this.inner.openRanged(key);
  }
  write(key: string, data: Uint8Array | string, options?: WriteOptions): Promise<void> {
    return this.inner.write(key, data, options);
  }
  writeStream(key: string, source: Readable | AsyncIterable<Uint8Array>, options?: WriteOptions): Promise<void> {
    return this.inner.writeStream(key, source, options);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  list(options?: ListOptions): AsyncIterable<string> {
    return this.inner.list(options);
  }
  copy(from: string, to: string, options?: WriteOptions): Promise<void> {
    return this.inner.copy(from, to, options);
  }
  getLocalFile(key: string, options?: LocalFileOptions): Promise<LocalFile> {
    return this.inner.getLocalFile(key, options);
  }
  putLocalFile(localPath: string, key: string, options?: WriteOptions): Promise<void> {
    return this.inner.putLocalFile(localPath, key, options);
  }
  createLocalFile(key: string, options?: WriteOptions & { suffix?: string }): Promise<PendingLocalFile> {
    return this.inner.createLocalFile(key, options);
  }
  /** @throws UnsupportedOperationError when the inner storage keeps no metadata */
  /** The inner storage's sweep; nothing to sweep when it leaves no pending files. */
  async sweepPendingWrites(options?: SweepOptions): Promise<SweepReport> {
    return this.inner.sweepPendingWrites === undefined ? { files: 0, bytes: 0 } : this.inner.sweepPendingWrites(options);
  }
  getMetadata(key: string): Promise<Record<string, string>> {
    if (this.inner.getMetadata === undefined) throw new UnsupportedOperationError(`${this.inner.uri} keeps no object metadata`);
    return this.inner.getMetadata(key);
  }
  /** @throws UnsupportedOperationError when the inner storage keeps no metadata */
  setMetadata(key: string, metadata: Readonly<Record<string, string>>): Promise<void> {
    if (this.inner.setMetadata === undefined) throw new UnsupportedOperationError(`${this.inner.uri} keeps no object metadata`);
    return this.inner.setMetadata(key, metadata);
  }
  statistics(options?: StatisticsOptions): Promise<StorageStatistics> {
    return this.inner.statistics(options);
  }
  available(key: string, expected?: AvailableOptions): Promise<boolean> {
    return this.inner.available(key, expected);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

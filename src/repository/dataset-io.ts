/**
 * All dataset I/O of one repository (Gen2's `Repository.read/write/exists/backup`): where a
 * dataset is stored (its mapped key or a compressed copy the formatter reads), reading it through
 * its formatter or bypass, and writing it with backups, write-once checks, checksums and records.
 * The Butler above knows none of this: it asks repositories in order.
 *
 * @packageDocumentation
 */
import { createWriteStream } from "node:fs";
import { copyFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import type { DataId } from "../data-id.js";
import { ConfigError, NotFoundError, UnsupportedOperationError, UsageError } from "../errors.js";
import { formatterFor } from "../formatters/index.js";
import type { ButlerLocation, Mapper, MapperDataId } from "../mapper/index.js";
import { contentTypeOf } from "../storage/content-types.js";
import type { PendingLocalFile, Storage } from "../storage/storage.js";
import type { TempScope } from "../temp/index.js";
import { BackupStorage, keepCurrent } from "./backup.js";
import type { RecordStore } from "./records/record-store.js";
import { PutStorage } from "./put-storage.js";
import type { StoredDataset } from "./stored-dataset.js";

/** Bytes to store as a dataset: a local file (left in place) or a stream. */
export type StoredSource = string | Readable | AsyncIterable<Uint8Array>;

/** A local path where objects are local files (what `open()` takes), else the object's URI. */
function filenameOf(storage: Storage, key: string): string {
  const uri = storage.uriOf(key);
  return storage.capabilities.localPath ? fileURLToPath(uri) : uri;
}

/** A dataset a repository located: where it is, or that its value is computed on read. */
export interface DatasetHandle {
  /** The mapped location (dataset type, completed data id, formatter, view …). */
  readonly location: ButlerLocation;
  /** The storage key found (the mapped key or a compressed copy), or the mapped key when not stored. */
  readonly key: string;
  /** False when nothing is stored here and the value is computed on read (a bypass that needs no file). */
  readonly stored: boolean;
}

/** What {@link DatasetIo.readIfStored} found: the value of a stored dataset, or a dataset computed on read (not read yet). */
export type ReadOutcome = { stored: true; value: unknown } | { stored: false; handle: DatasetHandle };

/** Options of {@link DatasetIo.write}. */
export interface WriteDatasetOptions {
  /**
   * Keep every version as `<key>~1`, `~2`, … (numbered in order of creation): the one found, unless
   * a backup holds it already, and the new one, before it replaces the current object — so no
   * version a doBackup put acknowledged is lost to concurrent writers (see `backup.ts`).
   */
  doBackup?: boolean;
}

/** What the dataset I/O of a repository works with. */
export interface DatasetIoParts {
  storage: Storage;
  mapper: Mapper;
  records: RecordStore | undefined;
  temp: TempScope;
  /** Told about every key written (a scanning registry adds it without listing again). */
  noteWritten(key: string): void;
}

/** Dataset I/O over one repository's storage, mapper and records. */
export class DatasetIo {
  readonly #parts: DatasetIoParts;

  /** @param parts - the repository's storage, mapper, records, temp scope and write hook */
  constructor(parts: DatasetIoParts) {
    this.#parts = parts;
  }

  /**
   * Maps the dataset and finds it: the first of its formatter's read candidates that exists. A
   * location with a bypass is returned unstored when no candidate exists (a computed value such as
   * `_filename` may need no file).
   * @throws UnknownDatasetTypeError, DataIdError, PolicyError, RegistryError, FormatterError
   */
  async locate(datasetType: string, dataId: MapperDataId): Promise<DatasetHandle | undefined> {
    const { mapper, storage } = this.#parts;
    const location = await mapper.map(datasetType, dataId);
    for (const mapped of location.locations) {
      for (const key of formatterFor(location.storageName).readCandidates(mapped)) {
        if (await storage.exists(key)) return { location, key, stored: true };
      }
    }
    const first = location.locations[0];
    if (location.bypass !== undefined) return { location, key: first ?? "", stored: false };
    return undefined;
  }

  /**
   * Maps the dataset and reads it if it is stored here: what {@link DatasetIo.locate} then
   * {@link DatasetIo.read} do, without the existence check where the read answers it. A dataset
   * whose formatter reads only the mapped key itself (no compressed copies) and that has no bypass
   * is read straight away, a NotFoundError of that read meaning "not stored here": one filesystem
   * call less per get, and no window between the check and the read in which the file can go.
   * @returns the value; or, for a dataset computed on read that nothing stores here, its unstored
   *   handle (not read); undefined when it is not here
   * @throws UnknownDatasetTypeError, DataIdError, PolicyError, RegistryError, FormatterError,
   *   FitsError, and whatever a camera hook throws
   */
  async readIfStored(datasetType: string, dataId: MapperDataId): Promise<ReadOutcome | undefined> {
    const { mapper, storage, temp } = this.#parts;
    const location = await mapper.map(datasetType, dataId);
    const formatter = formatterFor(location.storageName);
    const direct = location.bypass === undefined && location.locations.every((key) => isOnlyCandidate(formatter.readCandidates(key), key));
    if (!direct) {
      const handle = await this.locate(datasetType, dataId);
      if (handle === undefined) return undefined;
      return handle.stored ? { stored: true, value: await this.read(handle) } : { stored: false, handle };
    }
    for (const key of location.locations) {
      let item: unknown;
      try {
        item = await formatter.read({ storage, key, location, temp });
      } catch (err) {
        if (err instanceof NotFoundError) continue;
        throw err;
      }
      // outside the try: a NotFoundError of a camera hook is the hook's error, not "not stored"
      return { stored: true, value: await mapper.standardize(location.datasetType, item, location.dataId) };
    }
    return undefined;
  }

  /**
   * Reads a located dataset — its bypass, or its formatter — then the mapper's standardization.
   * @throws NotFoundError, FitsError, FormatterError, and whatever a camera hook throws
   */
  async read(handle: DatasetHandle): Promise<unknown> {
    const { mapper, storage, temp } = this.#parts;
    const { location, key } = handle;
    const item =
      location.bypass !== undefined
        ? await location.bypass({ location, filename: filenameOf(storage, key) })
        : await formatterFor(location.storageName).read({ storage, key, location, temp });
    return mapper.standardize(location.datasetType, item, location.dataId);
  }

  /**
   * Writes a dataset atomically at its mapped key: a backup of the old object first (with
   * `doBackup`), the write-once comparison for write-once types, and the record — in the same
   * transaction as the publication (sqlite beside local files) or right after it (PostgreSQL,
   * record objects), never before it.
   * @throws ConfigError for a type computed on read; UnknownDatasetTypeError, DataIdError,
   *   FormatterError, DatasetConflictError, StorageError
   */
  async write(obj: unknown, datasetType: string, dataId: MapperDataId, options: WriteDatasetOptions = {}): Promise<void> {
    const { location, key, target, formatter } = await this.#prepareWrite(datasetType, dataId, options);
    if (options.doBackup) await keepCurrent(this.#parts.storage, key);
    await formatter.write(obj, { storage: target, key, location, temp: this.#parts.temp });
    this.#parts.noteWritten(key);
  }

  /**
   * The stored object of a located dataset. A view (`_md`, `_sub` …) has no bytes of its own.
   * @throws UsageError for a view or a dataset computed on read; NotFoundError when it went away
   */
  async openStored(handle: DatasetHandle): Promise<StoredDataset> {
    const { storage } = this.#parts;
    const { location, key } = handle;
    if (!handle.stored || location.bypass !== undefined) throw new UsageError(`"${location.datasetType}" is computed on read and has no stored bytes`);
    if (location.view !== undefined) {
      throw new UsageError(`"${location.datasetType}" is a read-only view (${location.view}) of a dataset and has no stored bytes of its own; ask for the dataset itself`);
    }
    const info = await storage.stat(key);
    const formatter = formatterFor(location.storageName);
    return {
      datasetType: location.datasetType,
      dataId: location.dataId,
      name: basename(key),
      size: info.size,
      modified: info.modified,
      etag: info.etag,
      mediaType: formatter.mediaType?.(key) ?? contentTypeOf(key),
      open: (range) => storage.readStream(key, range),
    };
  }

  /**
   * Stores bytes as a dataset at its mapped key: written to a pending file, checked by the
   * formatter (a FITS dataset must parse as FITS), and only then published — with its record,
   * write-once comparison and optional backup, as {@link DatasetIo.write}. A failed check or a
   * failed source leaves nothing behind.
   * @returns the completed data id
   * @throws UnsupportedOperationError for a storage name whose formatter cannot check bytes;
   *   FormatterError or FitsError for bytes that fail the check; UsageError for a read-only type,
   *   ConfigError for one computed on read; DataIdError, DatasetConflictError, StorageError; the
   *   source's own error
   */
  async writeStored(source: StoredSource, datasetType: string, dataId: MapperDataId, options: WriteDatasetOptions = {}): Promise<Readonly<DataId>> {
    const { location, key, target, formatter } = await this.#prepareWrite(datasetType, dataId, options);
    const check = formatter.check?.bind(formatter);
    if (check === undefined) throw new UnsupportedOperationError(`"${datasetType}" is stored as ${formatter.storageName}, whose formatter cannot check stored bytes; put the object instead`);
    {
      await using pending = await target.createLocalFile(key, { suffix: extname(key) });
      await fillPending(pending, source);
      await check(pending.path, location.datasetType);
      // only bytes that passed replace anything, so only they make a backup
      if (options.doBackup) await keepCurrent(this.#parts.storage, key);
      await pending.commit();
    }
    this.#parts.noteWritten(key);
    return location.dataId;
  }

  /** Maps for a write and picks its formatter and the storage to write through (with records and write-once checks). */
  async #prepareWrite(datasetType: string, dataId: MapperDataId, options: WriteDatasetOptions) {
    const { mapper, storage, records } = this.#parts;
    const location = await mapper.map(datasetType, dataId, { write: true });
    if (location.bypass !== undefined) throw new ConfigError(`"${datasetType}" is computed on read and cannot be put`);
    const key = location.locations[0];
    if (key === undefined) throw new ConfigError(`"${datasetType}" maps to no file and cannot be put`);
    const formatter = formatterFor(location.storageName);
    const writeOnce = mapper.isWriteOnce(location.datasetType);
    // Recording or comparing needs a checksum of what is written; otherwise nothing is added
    const dataIdOf = location.dataId;
    const recorded =
      records === undefined && !writeOnce
        ? storage
        : new PutStorage(storage, {
            datasetType,
            writeOnce,
            ...(records === undefined
              ? {}
              : records.recordAround !== undefined
                ? { recordAround: (object, publish) => records.recordAround!({ datasetType, dataId: dataIdOf, ...object }, publish) }
                : { recordAfter: (object) => records.record({ datasetType, dataId: dataIdOf, ...object }) }),
          });
    // a write-once dataset is never replaced, so only doBackup puts of others keep their versions
    const target = options.doBackup && !writeOnce ? new BackupStorage(recorded, storage) : recorded;
    return { location, key, target, formatter };
  }

  /**
   * Where a dataset is stored, or with `write` where a put would write it; undefined when reading
   * and nothing is stored.
   * @throws UnknownDatasetTypeError, DataIdError, PolicyError, RegistryError
   */
  async uriOf(datasetType: string, dataId: MapperDataId, options: { write?: boolean } = {}): Promise<string | undefined> {
    const { mapper, storage } = this.#parts;
    if (options.write) {
      const key = (await mapper.map(datasetType, dataId, { write: true })).locations[0];
      return key === undefined ? undefined : storage.uriOf(key);
    }
    const handle = await this.locate(datasetType, dataId);
    return handle?.stored ? storage.uriOf(handle.key) : undefined;
  }
}

/** Whether a formatter's read candidates for a key are the key alone (a read of it answers whether it is stored). */
function isOnlyCandidate(candidates: readonly string[], key: string): boolean {
  return candidates.length === 1 && candidates[0] === key;
}

/** Fills a pending file from a local file or a stream; streamed bytes go past its observer (checksums without a read-back). */
async function fillPending(pending: PendingLocalFile, source: StoredSource): Promise<void> {
  if (typeof source === "string") {
    await copyFile(source, pending.path);
    return;
  }
  const observe = pending.observe;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const seen = observe?.(chunk);
      if (seen === undefined) done(null, chunk);
      else seen.then(() => done(null, chunk), done);
    },
  });
  await pipeline(source, tap, createWriteStream(pending.path));
}

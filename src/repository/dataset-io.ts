/**
 * All dataset I/O of one repository (Gen2's `Repository.read/write/exists/backup`): where a
 * dataset is stored (its mapped key or a compressed copy the formatter reads), reading it through
 * its formatter or bypass, and writing it with backups, write-once checks, checksums and records.
 * The Butler above knows none of this: it asks repositories in order.
 *
 * @packageDocumentation
 */
import { fileURLToPath } from "node:url";
import { ConfigError } from "../errors.js";
import { formatterFor } from "../formatters/index.js";
import type { ButlerLocation, Mapper, MapperDataId } from "../mapper/index.js";
import type { Storage } from "../storage/storage.js";
import type { TempScope } from "../temp/index.js";
import { backupObject } from "./backup.js";
import type { RecordStore } from "./records/record-store.js";
import { PutStorage } from "./put-storage.js";

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

/** Options of {@link DatasetIo.write}. */
export interface WriteDatasetOptions {
  /** Keep an existing dataset as `<key>~1`, `~2`, … (numbered in order of creation). */
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
    const { mapper, storage, records, temp } = this.#parts;
    const location = await mapper.map(datasetType, dataId, { write: true });
    if (location.bypass !== undefined) throw new ConfigError(`"${datasetType}" is computed on read and cannot be put`);
    const key = location.locations[0];
    if (key === undefined) throw new ConfigError(`"${datasetType}" maps to no file and cannot be put`);
    if (options.doBackup && (await storage.exists(key))) await backupObject(storage, key);
    const writeOnce = mapper.isWriteOnce(location.datasetType);
    // Recording or comparing needs a checksum of what is written; otherwise nothing is added
    const dataIdOf = location.dataId;
    const target =
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
    await formatterFor(location.storageName).write(obj, { storage: target, key, location, temp });
    this.#parts.noteWritten(key);
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

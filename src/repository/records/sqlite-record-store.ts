/**
 * The records of a local repository: {@link DatasetRecords} (`datasets.sqlite3`) behind the
 * {@link RecordStore} contract.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../../data-id.js";
import { RegistryError } from "../../errors.js";
import { DatasetRecords, type DatasetRecord, type RecordIntent } from "../dataset-records.js";
import type { NewRecord, RecordedDataId, RecordStore } from "./record-store.js";

/**
 * A {@link RecordStore} in a sqlite file beside the datasets: a put's record is written in the
 * same immediate transaction as the file's rename ({@link SqliteRecordStore.recordAround}), so
 * the two appear together — after an intent committed before the rename, which `fsck --repair`
 * adopts if the process is killed between the rename and the commit.
 *
 * ```ts
 * const store = SqliteRecordStore.open("/scratch/rerun/datasets.sqlite3");
 * await store.find("calexp", { visit: 1 });
 * ```
 */
export class SqliteRecordStore implements RecordStore {
  /** Which implementation. */
  readonly kind = "sqlite";
  readonly #records: DatasetRecords;
  readonly #path: string;
  readonly #readonly: boolean;

  private constructor(records: DatasetRecords, path: string, readonly: boolean) {
    this.#records = records;
    this.#path = path;
    this.#readonly = readonly;
  }

  /**
   * Opens (creating, unless read-only) the records database at a local path.
   * @throws RegistryError when it is not a usable sqlite database
   */
  static open(path: string, options: { readonly?: boolean } = {}): SqliteRecordStore {
    return new SqliteRecordStore(DatasetRecords.open(path, options), path, options.readonly === true);
  }

  /** The sqlite file. */
  get where(): string {
    return this.#path;
  }

  /** The underlying records database. */
  get records(): DatasetRecords {
    return this.#records;
  }

  /** Records inside the rename's transaction. @throws RegistryError when read-only; whatever `publish` throws */
  recordAround(record: NewRecord, publish: () => void): void {
    this.#assertWritable();
    this.#records.record(record, publish);
  }

  /** Intents of puts killed between their rename and their record (or running now). */
  async intents(): Promise<RecordIntent[]> {
    return this.#records.intents();
  }

  /** Adopts or drops an intent. @throws RegistryError when read-only */
  async settleIntent(intent: RecordIntent, adopt: boolean): Promise<void> {
    this.#assertWritable();
    this.#records.settleIntent(intent, adopt);
  }

  /** Records a published object. @throws RegistryError when read-only */
  async record(record: NewRecord): Promise<void> {
    this.#assertWritable();
    this.#records.record(record);
  }

  /** The record of one dataset. */
  async get(datasetType: string, dataId: Readonly<DataId>): Promise<DatasetRecord | undefined> {
    return this.#records.get(datasetType, dataId);
  }

  /** Records of a type matching a partial data id. */
  async find(datasetType: string, partial: Readonly<Record<string, DataIdValue>> = {}): Promise<DatasetRecord[]> {
    return this.#records.find(datasetType, partial);
  }

  /** Data ids of a type matching a partial data id. */
  async findDataIds(datasetType: string, partial: Readonly<Record<string, DataIdValue>> = {}): Promise<RecordedDataId[]> {
    return this.#records.findDataIds(datasetType, partial);
  }

  /** Every record. */
  async *all(): AsyncIterable<DatasetRecord> {
    yield* this.#records.all();
  }

  /** Removes one record. @throws RegistryError when read-only */
  async remove(datasetType: string, dataId: Readonly<DataId>): Promise<boolean> {
    this.#assertWritable();
    return this.#records.remove(datasetType, dataId);
  }

  /** Number of records. */
  async count(datasetType?: string): Promise<number> {
    return this.#records.count(datasetType);
  }

  /** Closes the database. */
  async close(): Promise<void> {
    this.#records.close();
  }

  #assertWritable(): void {
    if (this.#readonly) throw new RegistryError(`the dataset records ${this.#path} were opened read-only`);
  }
}

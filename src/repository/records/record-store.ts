/**
 * The record store contract: where a repository keeps the record of every dataset put into it
 * (type, data id, key, size, checksum) — Gen2 never registered outputs, so `subset` had to glob.
 * Three implementations, chosen by the repository ({@link openRecordStore}):
 *
 * - {@link SqliteRecordStore}: `datasets.sqlite3` beside local files, recorded in the same
 *   transaction as the file's rename;
 * - {@link PgRecordStore}: a table in the repository's PostgreSQL schema (`registry.pgsql`);
 * - {@link ObjectRecordStore}: one small object per dataset under `_records/`, for a remote
 *   repository without PostgreSQL (a sqlite file cannot be written in place on an object store).
 *
 * Whatever the store, a record never precedes its object: it is written after the object is
 * published, so a crash in between leaves an orphan object (found by `skybutler fsck`), never a
 * record of nothing. A store that records around the publication ({@link RecordStore.recordAround})
 * also keeps an intent per put until its record is committed, so that `fsck --repair` can tell a
 * crash's stale record (the object has the intent's checksum) from damage.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../../data-id.js";
import type { DatasetRecord, RecordIntent } from "../dataset-records.js";

export type { RecordIntent };

/** A record as a put makes it (the store adds the time). */
export type NewRecord = Omit<DatasetRecord, "created">;

/** A recorded data id with its canonical JSON text (keys sorted). */
export interface RecordedDataId {
  text: string;
  dataId: DataId;
}

/** Where a repository keeps its dataset records. */
export interface RecordStore {
  /** Which implementation. */
  readonly kind: "sqlite" | "postgresql" | "objects";
  /** Where the records are, for messages (no secret). */
  readonly where: string;

  /**
   * Records a dataset inside the critical section that publishes its object (`publish`, a rename):
   * both appear together or neither does. Only stores beside local files have it.
   * @throws RegistryError; whatever `publish` throws (nothing is recorded then)
   */
  recordAround?(record: NewRecord, publish: () => void): void;

  /**
   * Intents of puts that published (or were about to publish) an object and have not recorded it:
   * left by a process killed between the two, or a put running now. With {@link RecordStore.recordAround}.
   * @throws RegistryError
   */
  intents?(): Promise<RecordIntent[]>;

  /**
   * Ends an intent: with `adopt` (its object has the intent's size and checksum) its record
   * replaces the dataset's; either way the intent is gone.
   * @throws RegistryError when the store cannot be written
   */
  settleIntent?(intent: RecordIntent, adopt: boolean): Promise<void>;

  /**
   * Records a dataset whose object is already published, replacing an earlier record of the same
   * type and data id **and any record of the same key** under another data id or type: records are
   * keyed by the stored object, so two data ids naming one file (a template that ignores a key)
   * have one record, the last put's — never a stale one beside it. At most one record per dataset
   * and per object. ({@link RecordStore.recordAround} and an adopted intent replace the same way.)
   * @throws RegistryError when the store cannot be written (read-only, unreachable)
   */
  record(record: NewRecord): Promise<void>;

  /**
   * The record of one dataset, read directly (never through a listing that may lag).
   * @throws RegistryError
   */
  get(datasetType: string, dataId: Readonly<DataId>): Promise<DatasetRecord | undefined>;

  /**
   * Records of a type whose data ids contain every key/value of `partial` (values compared with
   * their JSON type: `3` is not `"3"`), sorted by canonical data id.
   * @throws RegistryError
   */
  find(datasetType: string, partial?: Readonly<Record<string, DataIdValue>>): Promise<DatasetRecord[]>;

  /**
   * Only the data ids of {@link RecordStore.find} (what `subset` needs; cheaper on some stores).
   * @throws RegistryError
   */
  findDataIds(datasetType: string, partial?: Readonly<Record<string, DataIdValue>>): Promise<RecordedDataId[]>;

  /**
   * Every record, in no particular order (what `fsck` compares with the storage).
   * @throws RegistryError
   */
  all(): AsyncIterable<DatasetRecord>;

  /**
   * Removes the record of one dataset (`fsck --repair` for a missing object).
   * @returns whether there was one
   * @throws RegistryError
   */
  remove(datasetType: string, dataId: Readonly<DataId>): Promise<boolean>;

  /** Number of records (of one type, or all). @throws RegistryError */
  count(datasetType?: string): Promise<number>;

  /** Releases what the store holds. Idempotent. */
  close(): Promise<void>;
}

/** Whether a data id contains every key/value of a partial one, JSON types compared. */
export function matchesPartial(dataId: Readonly<DataId>, partial: Readonly<Record<string, DataIdValue>>): boolean {
  return Object.entries(partial).every(([k, v]) => dataId[k] === v);
}

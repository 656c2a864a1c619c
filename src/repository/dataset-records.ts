/**
 * The record of every dataset put into an output repository (type, data id, key, size, checksum):
 * Gen2 never registered outputs, so `datasetExists` and `subset` had to glob. A separate sqlite file
 * (`datasets.sqlite3`) from the exposure registry, which stays read-only and downloadable.
 *
 * Safe for several processes writing at once: WAL journal, a busy timeout, and one immediate
 * transaction per put that also performs the file's rename (see `CommitOptions.around`).
 *
 * A rename and a sqlite commit cannot be one atomic step: a process killed after the rename and
 * before the commit leaves the new file with the old record (or none). So a put first commits an
 * *intent* (type, data id, key, size, checksum) in a transaction of its own, then renames inside the
 * record's transaction, which also clears the intent. An intent left behind says exactly which
 * bytes a killed put published: `fsck --repair` adopts it when the object has its checksum and
 * drops it otherwise — so a crash's mismatch is repaired, while a mismatch without an intent (bit
 * rot, a hand edit) is never blessed.
 *
 * A put of a new object needs no intent: when no record names its key (checked inside the record's
 * transaction, under the write lock, so no other writer can record it meanwhile), a kill after
 * the rename leaves an object without a record — an orphan, which `fsck --repair` registers from
 * its key — and no record that could mismatch. So the first put of a key is one transaction, as
 * long as its type has records already (fsck calls unrecorded objects orphans only for types it
 * has seen); a replacement takes the two. This halved the sqlite work of a put into a fresh
 * output (README, issue 13).
 *
 * @packageDocumentation
 */
import Database from "better-sqlite3";
import { RegistryError } from "../errors.js";
import type { DataId, DataIdValue } from "../data-id.js";

/** The object key of the records database in an output repository. */
export const DATASET_RECORDS_KEY = "datasets.sqlite3";

/** One recorded dataset. */
export interface DatasetRecord {
  datasetType: string;
  dataId: DataId;
  /** Storage key of the object. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** `sha256:<hex>` of the object's bytes. */
  checksum: string;
  /** ISO time of the put. */
  created: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS dataset (
  datasetType TEXT NOT NULL,
  dataId TEXT NOT NULL,            -- canonical JSON: keys sorted
  key TEXT NOT NULL,
  size INTEGER NOT NULL,
  checksum TEXT NOT NULL,
  created TEXT NOT NULL,
  PRIMARY KEY (datasetType, dataId)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dataset_key ON dataset (key);
CREATE TABLE IF NOT EXISTS intent (   -- a put between its intent and its record (see above)
  id INTEGER PRIMARY KEY,
  datasetType TEXT NOT NULL,
  dataId TEXT NOT NULL,
  key TEXT NOT NULL,
  size INTEGER NOT NULL,
  checksum TEXT NOT NULL,
  created TEXT NOT NULL
);
`;

/** A put that committed its intent and may have published its object without recording it. */
export interface RecordIntent extends Omit<DatasetRecord, "created"> {
  /** Identifies the intent in its store. */
  id: number;
}

/** Canonical JSON of a data id (sorted keys), so equal ids have equal text. */
export function canonicalDataId(dataId: Readonly<DataId>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(dataId).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/**
 * An output repository's dataset records.
 *
 * ```ts
 * const records = DatasetRecords.open("/scratch/rerun/datasets.sqlite3");
 * records.find("calexp", { visit: 1 });   // every recorded calexp of visit 1
 * ```
 */
export class DatasetRecords {
  readonly #db: Database.Database;
  readonly #upsert: Database.Statement;
  readonly #one: Database.Statement;
  readonly #dropOthers: Database.Statement;
  readonly #intend: Database.Statement | undefined;
  readonly #keyRecorded: Database.Statement;
  readonly #typeRecorded: Database.Statement;
  readonly #clear: Database.Statement | undefined;

  private constructor(db: Database.Database, writable: boolean) {
    this.#db = db;
    this.#intend = writable ? db.prepare("INSERT INTO intent (datasetType, dataId, key, size, checksum, created) VALUES (?, ?, ?, ?, ?, ?)") : undefined;
    this.#clear = writable ? db.prepare("DELETE FROM intent WHERE id = ?") : undefined;
    this.#upsert = db.prepare(
      "INSERT OR REPLACE INTO dataset (datasetType, dataId, key, size, checksum, created) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#one = db.prepare("SELECT * FROM dataset WHERE datasetType = ? AND dataId = ?");
    this.#keyRecorded = db.prepare("SELECT 1 FROM dataset WHERE key = ? LIMIT 1").pluck();
    this.#typeRecorded = db.prepare("SELECT 1 FROM dataset WHERE datasetType = ? LIMIT 1").pluck();
    // records are keyed by the stored object: another data id (or type) naming the same key loses its record
    this.#dropOthers = db.prepare("DELETE FROM dataset WHERE key = ? AND NOT (datasetType = ? AND dataId = ?)");
  }

  /**
   * Opens the records database at a local path: for writing (created if needed), or read-only
   * (an input that was once an output).
   * @throws RegistryError when the file is not a usable sqlite database
   */
  static open(path: string, options: { readonly?: boolean } = {}): DatasetRecords {
    try {
      const db = new Database(path, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
      db.pragma("busy_timeout = 30000"); // another process's put holds the lock for milliseconds
      if (!options.readonly) {
        db.pragma("journal_mode = WAL"); // readers do not block the one writer
        db.pragma("synchronous = NORMAL"); // with WAL: durable at checkpoints, never corrupt
        db.exec(SCHEMA);
      }
      return new DatasetRecords(db, options.readonly !== true);
    } catch (err) {
      throw new RegistryError(`cannot open the dataset records ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Records a dataset, replacing the record of the same type and data id and any record of the
   * same key (records are keyed by the stored object: two data ids that name one file have one
   * record, the last put's). With `publish` (the file's rename), runs `publish` inside the record's
   * immediate transaction: the record and the file appear together, or neither does. When a
   * record names the key already (or none of the type exists yet), an intent is committed first in
   * a transaction of its own and cleared by the record's: a process killed between the rename and
   * the commit leaves the intent, from which `fsck --repair` restores the record
   * ({@link DatasetRecords.intents}); for a new key it leaves an orphan, which `fsck --repair`
   * registers.
   * @throws whatever `publish` throws (nothing is recorded then, and the intent is cleared)
   */
  record(record: Omit<DatasetRecord, "created">, publish?: () => void): void {
    const dataId = canonicalDataId(record.dataId);
    const created = new Date().toISOString();
    const upsert = () => this.#replace(record.datasetType, dataId, record.key, record.size, record.checksum, created);
    if (publish === undefined) {
      this.#db.transaction(upsert).immediate();
      return;
    }
    if (this.#intend === undefined || this.#clear === undefined) throw new RegistryError("the dataset records were opened read-only");
    // a new key of a known type: one transaction (see the module's comment)
    let replaces = false;
    this.#db
      .transaction(() => {
        replaces = this.#keyRecorded.get(record.key) !== undefined || this.#typeRecorded.get(record.datasetType) === undefined;
        if (replaces) return; // nothing written: the commit is a no-op
        upsert();
        publish();
      })
      .immediate();
    if (!replaces) return;
    const intent = this.#intend.run(record.datasetType, dataId, record.key, record.size, record.checksum, created).lastInsertRowid;
    let published = false;
    try {
      this.#db
        .transaction(() => {
          upsert();
          this.#clear!.run(intent);
          publish();
          published = true;
        })
        .immediate();
    } catch (err) {
      // the rename failed: nothing to adopt. (Renamed but not committed: the intent stays for fsck.)
      if (!published) this.#clear.run(intent);
      throw err;
    }
  }

  /** Intents left by puts that were killed (or are running now), oldest first. */
  intents(): RecordIntent[] {
    if (this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'intent'").get() === undefined) return []; // an older file
    const rows = this.#db.prepare("SELECT * FROM intent ORDER BY id").all() as Array<RecordRow & { id: number }>;
    return rows.map(({ created: _created, ...row }) => ({ ...row, dataId: JSON.parse(row.dataId) as DataId }));
  }

  /**
   * Ends an intent: with `adopt`, its record replaces the dataset's (the object was found to have its
   * checksum), in one transaction with the intent's removal; else the intent is only dropped.
   */
  settleIntent(intent: RecordIntent, adopt: boolean): void {
    this.#db
      .transaction(() => {
        if (adopt) this.#replace(intent.datasetType, canonicalDataId(intent.dataId), intent.key, intent.size, intent.checksum, new Date().toISOString());
        this.#db.prepare("DELETE FROM intent WHERE id = ?").run(intent.id);
      })
      .immediate();
  }

  /** Upserts one record and drops any other record of its key (inside the caller's transaction). */
  #replace(datasetType: string, dataId: string, key: string, size: number, checksum: string, created: string): void {
    this.#dropOthers.run(key, datasetType, dataId);
    this.#upsert.run(datasetType, dataId, key, size, checksum, created);
  }

  /** The record of one dataset, if any. */
  get(datasetType: string, dataId: Readonly<DataId>): DatasetRecord | undefined {
    const row = this.#one.get(datasetType, canonicalDataId(dataId)) as RecordRow | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /** Records of a dataset type whose data ids contain every key/value of `partial`, by data id. */
  find(datasetType: string, partial: Readonly<Record<string, DataIdValue>> = {}): DatasetRecord[] {
    return this.#select(datasetType, partial).map(fromRow);
  }

  /**
   * The data ids recorded for a dataset type that contain every key/value of `partial`, each with
   * its canonical JSON text (for de-duplication without re-serialising).
   */
  findDataIds(datasetType: string, partial: Readonly<Record<string, DataIdValue>> = {}): Array<{ text: string; dataId: DataId }> {
    return this.#select(datasetType, partial, "dataId").map((row) => ({ text: row.dataId, dataId: JSON.parse(row.dataId) as DataId }));
  }

  /** Rows of a type filtered in SQL on the data id's keys (json_extract), so no row is parsed in vain. */
  #select(datasetType: string, partial: Readonly<Record<string, DataIdValue>>, columns = "*"): RecordRow[] {
    const entries = Object.entries(partial);
    const where = entries.map(() => "json_extract(dataId, ?) = ?").join(" AND ");
    const sql = `SELECT ${columns} FROM dataset WHERE datasetType = ?${where ? ` AND ${where}` : ""} ORDER BY dataId`;
    const params: unknown[] = [datasetType];
    // JSON paths quote the key, so any key name is safe; values are bound, never interpolated
    for (const [k, v] of entries) params.push(`$.${JSON.stringify(k)}`, v);
    return this.#db.prepare(sql).all(...params) as RecordRow[];
  }

  /**
   * Every record, by type then data id, read a page at a time (keyset paging: memory stays flat,
   * and no statement stays open between pages, so the caller may write in between).
   */
  *all(pageSize = 1000): IterableIterator<DatasetRecord> {
    const first = this.#db.prepare("SELECT * FROM dataset ORDER BY datasetType, dataId LIMIT ?");
    const next = this.#db.prepare("SELECT * FROM dataset WHERE (datasetType, dataId) > (?, ?) ORDER BY datasetType, dataId LIMIT ?");
    let page = first.all(pageSize) as RecordRow[];
    while (page.length > 0) {
      for (const row of page) yield fromRow(row);
      const last = page[page.length - 1]!;
      page = page.length < pageSize ? [] : (next.all(last.datasetType, last.dataId, pageSize) as RecordRow[]);
    }
  }

  /** Removes the record of one dataset. @returns whether there was one */
  remove(datasetType: string, dataId: Readonly<DataId>): boolean {
    return this.#db.prepare("DELETE FROM dataset WHERE datasetType = ? AND dataId = ?").run(datasetType, canonicalDataId(dataId)).changes > 0;
  }

  /** Number of records (of one type, or all). */
  count(datasetType?: string): number {
    const sql = datasetType === undefined ? "SELECT count(*) AS n FROM dataset" : "SELECT count(*) AS n FROM dataset WHERE datasetType = ?";
    const stmt = this.#db.prepare(sql);
    const row = (datasetType === undefined ? stmt.get() : stmt.get(datasetType)) as { n: number };
    return row.n;
  }

  /** Closes the database. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

interface RecordRow {
  datasetType: string;
  dataId: string;
  key: string;
  size: number;
  checksum: string;
  created: string;
}

function fromRow(row: RecordRow): DatasetRecord {
  return { ...row, dataId: JSON.parse(row.dataId) as DataId };
}

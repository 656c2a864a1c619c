/**
 * The records of a repository whose `registry.pgsql` names a PostgreSQL database: one table in its
 * schema, shared by every writer on every host.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../../data-id.js";
import { RegistryError } from "../../errors.js";
import { PgDatabase, type PgRow, type PgTransaction } from "../../../registry/pg/pg-database.js";
import { INTERNAL_TABLE_PREFIX } from "../../../registry/pg/pg-registry.js";
import { quoteIdentifier } from "../../../registry/table-query.js";
import { canonicalDataId, type DatasetRecord } from "../dataset-records.js";
import type { NewRecord, RecordedDataId, RecordStore } from "./record-store.js";

/** The records table in the repository's schema (left out of the registry's tables). */
export const PG_RECORDS_TABLE = `${INTERNAL_TABLE_PREFIX}dataset`;

interface Row extends PgRow {
  dataset_type: string;
  data_id: string;
  key: string;
  size: number;
  checksum: string;
  created: Date;
}

/**
 * A {@link RecordStore} in PostgreSQL. One row per (type, data id) and per key: a put upserts it
 * after its object is published, in one statement that also deletes another data id's row for the
 * same key, so concurrent writers of the same dataset leave exactly one record (the last). Data ids are kept as canonical JSON text (what `subset` compares) and as
 * `jsonb` with a GIN index, so a partial data id is a containment query.
 *
 * ```ts
 * const store = await PgRecordStore.open(db, "hsc_rerun", { create: true });
 * await store.find("calexp", { visit: 1 });
 * ```
 */
export class PgRecordStore implements RecordStore {
  /** Which implementation. */
  readonly kind = "postgresql";
  readonly #db: PgDatabase;
  readonly #table: string;
  readonly #where: string;
  readonly #owns: boolean;
  #closed = false;

  private constructor(db: PgDatabase, schema: string, owns: boolean) {
    this.#db = db;
    this.#table = `${quoteIdentifier(schema)}.${quoteIdentifier(PG_RECORDS_TABLE)}`;
    this.#where = `${db.where} schema ${schema}`;
    this.#owns = owns;
  }

  /**
   * Opens the records of a schema; with `create`, makes the table (and schema) when missing —
   * under an advisory lock, since many writers may open a new repository at once.
   * @throws RegistryError when the database cannot be reached or the table cannot be made
   */
  static async open(db: PgDatabase, schema: string, options: { create?: boolean; ownsDatabase?: boolean } = {}): Promise<PgRecordStore> {
    const store = new PgRecordStore(db, schema, options.ownsDatabase === true);
    if (options.create) {
      await db.transaction(async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`skybutler records ${schema}`]);
        await createRecordsTable(tx, schema);
      });
    }
    return store;
  }

  /** `user@host:port/database schema S`. */
  get where(): string {
    return this.#where;
  }

  /** Upserts the record of a published object, dropping any other record of its key. @throws RegistryError */
  async record(record: NewRecord): Promise<void> {
    const text = canonicalDataId(record.dataId);
    // one statement: the record of another data id (or type) naming the same object goes with it
    await this.#query(
      `WITH others AS (DELETE FROM ${this.#table} WHERE key = $4 AND (dataset_type, data_id) <> ($1, $2))
       INSERT INTO ${this.#table} (dataset_type, data_id, ids, key, size, checksum) VALUES ($1, $2, $3::jsonb, $4, $5, $6)
       ON CONFLICT (dataset_type, data_id) DO UPDATE SET key = EXCLUDED.key, size = EXCLUDED.size, checksum = EXCLUDED.checksum, created = now()`,
      [record.datasetType, text, text, record.key, record.size, record.checksum],
    );
  }

  /** The record of one dataset. @throws RegistryError */
  async get(datasetType: string, dataId: Readonly<DataId>): Promise<DatasetRecord | undefined> {
    const rows = await this.#query<Row>(`SELECT * FROM ${this.#table} WHERE dataset_type = $1 AND data_id = $2`, [datasetType, canonicalDataId(dataId)]);
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }

  /** Records of a type containing a partial data id. @throws RegistryError */
  async find(datasetType: string, partial: Readonly<Record<string, DataIdValue>> = {}): Promise<DatasetRecord[]> {
    return (await this.#select<Row>("*", datasetType, partial)).map(fromRow);
  }

  /** Data ids of a type containing a partial data id. @throws RegistryError */
  async findDataIds(datasetType: string, partial: Readonly<Record<string, DataIdValue>> = {}): Promise<RecordedDataId[]> {
    return (await this.#select<{ data_id: string }>("data_id", datasetType, partial)).map((r) => ({ text: r.data_id, dataId: JSON.parse(r.data_id) as DataId }));
  }

  /** Every record, a page at a time (keyset paging: memory stays flat). @throws RegistryError */
  async *all(pageSize = 1000): AsyncIterable<DatasetRecord> {
    let page = await this.#query<Row>(`SELECT * FROM ${this.#table} ORDER BY dataset_type, data_id LIMIT $1`, [pageSize]);
    while (page.length > 0) {
      for (const row of page) yield fromRow(row);
      const last = page[page.length - 1]!;
      page =
        page.length < pageSize
          ? []
          : await this.#query<Row>(`SELECT * FROM ${this.#table} WHERE (dataset_type, data_id) > ($1, $2) ORDER BY dataset_type, data_id LIMIT $3`, [last.dataset_type, last.data_id, pageSize]);
    }
  }

  /** Removes one record. @throws RegistryError */
  async remove(datasetType: string, dataId: Readonly<DataId>): Promise<boolean> {
    const rows = await this.#query(`DELETE FROM ${this.#table} WHERE dataset_type = $1 AND data_id = $2 RETURNING 1`, [datasetType, canonicalDataId(dataId)]);
    return rows.length > 0;
  }

  /** Number of records. @throws RegistryError */
  async count(datasetType?: string): Promise<number> {
    const rows =
      datasetType === undefined
        ? await this.#query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${this.#table}`)
        : await this.#query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${this.#table} WHERE dataset_type = $1`, [datasetType]);
    return Number(rows[0]!.n);
  }

  /** Closes the database if it owns it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owns) await this.#db.close();
  }

  #select<R extends PgRow>(columns: string, datasetType: string, partial: Readonly<Record<string, DataIdValue>>): Promise<R[]> {
    const filtered = Object.keys(partial).length > 0;
    const where = filtered ? " AND ids @> $2::jsonb" : "";
    return this.#query<R>(`SELECT ${columns} FROM ${this.#table} WHERE dataset_type = $1${where} ORDER BY data_id`, filtered ? [datasetType, JSON.stringify(partial)] : [datasetType]);
  }

  /** Runs a statement; a read of a schema where nothing was ever put (no table yet) finds nothing. */
  async #query<R extends PgRow = PgRow>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    try {
      return await this.#db.query<R>(text, values, { prepare: true });
    } catch (err) {
      if ((err as { cause?: { code?: string } }).cause?.code !== "42P01") throw err;
      if (/^(SELECT|DELETE)/.test(text)) return /count\(\*\)/.test(text) ? ([{ n: 0 }] as unknown as R[]) : [];
      throw new RegistryError(`${this.#where} has no dataset records table: open the repository for writing first`, { cause: err });
    }
  }
}

function fromRow(row: Row): DatasetRecord {
  return {
    datasetType: row.dataset_type,
    dataId: JSON.parse(row.data_id) as DataId,
    key: row.key,
    size: Number(row.size),
    checksum: row.checksum,
    created: row.created instanceof Date ? row.created.toISOString() : String(row.created),
  };
}

/** Creates the records table (and schema) in a transaction when missing. @throws RegistryError */
export async function createRecordsTable(tx: PgTransaction, schema: string): Promise<void> {
  const s = quoteIdentifier(schema);
  const table = `${s}.${quoteIdentifier(PG_RECORDS_TABLE)}`;
  await tx.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await tx.query(
    `CREATE TABLE IF NOT EXISTS ${table} (
       dataset_type text COLLATE "C" NOT NULL,
       data_id text COLLATE "C" NOT NULL,
       ids jsonb NOT NULL,
       key text COLLATE "C" NOT NULL,
       size bigint NOT NULL,
       checksum text NOT NULL,
       created timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (dataset_type, data_id))`,
  );
  await tx.query(`CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${PG_RECORDS_TABLE}_key`)} ON ${table} (key)`);
  await tx.query(`CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${PG_RECORDS_TABLE}_ids`)} ON ${table} USING gin (ids jsonb_path_ops)`);
}

/**
 * Inserts records (keeping their times) with one statement; with `onlyNew`, records already
 * there are left as they are.
 * @returns how many were inserted
 * @throws RegistryError
 */
export async function insertRecords(tx: PgTransaction, schema: string, records: readonly DatasetRecord[], options: { onlyNew?: boolean } = {}): Promise<number> {
  if (records.length === 0) return 0;
  const table = `${quoteIdentifier(schema)}.${quoteIdentifier(PG_RECORDS_TABLE)}`;
  const texts = records.map((r) => canonicalDataId(r.dataId));
  const conflict = options.onlyNew
    ? "DO NOTHING"
    : "DO UPDATE SET key = EXCLUDED.key, size = EXCLUDED.size, checksum = EXCLUDED.checksum, created = EXCLUDED.created";
  const rows = await tx.query(
    `INSERT INTO ${table} (dataset_type, data_id, ids, key, size, checksum, created)
     SELECT t, d, d::jsonb, k, s, c, w FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[]) AS u(t, d, k, s, c, w)
     ON CONFLICT (dataset_type, data_id) ${conflict} RETURNING 1`,
    [records.map((r) => r.datasetType), texts, records.map((r) => r.key), records.map((r) => r.size), records.map((r) => r.checksum), records.map((r) => r.created)],
  );
  return rows.length;
}

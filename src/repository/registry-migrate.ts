/**
 * `registry migrate`: moves a repository's sqlite registry, calibration registry and dataset
 * records into PostgreSQL and switches the repository to it.
 *
 * Atomic for readers: everything is copied in ONE database transaction into schemas that must be
 * empty, so nobody sees a partial copy; only after it commits is `registry.pgsql` written (an
 * atomic object write). A reader opening the repository before that uses the sqlite files, after
 * it PostgreSQL. The sqlite files stay where they were (deleting `registry.pgsql` switches back).
 *
 * @packageDocumentation
 */
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { ConfigError } from "../errors.js";
import { storageFromUri } from "../storage/schemes.js";
import type { Storage } from "../storage/storage.js";
import { TempScope } from "../temp/index.js";
import { formatPgConfig, PG_CONFIG_KEY, pgConfigFromUrl, type PgConfig } from "../../registry/pg/pg-config.js";
import { PgDatabase, type PgTransaction } from "../../registry/pg/pg-database.js";
import { writePgTables } from "../../registry/pg/pg-tables.js";
import { sqliteTableSpecs } from "../../registry/pg/sqlite-tables.js";
import { quoteIdentifier } from "../../registry/table-query.js";
import { DATASET_RECORDS_KEY, DatasetRecords, type DatasetRecord } from "./dataset-records.js";
import { ObjectRecordStore } from "./records/object-record-store.js";
import { createRecordsTable, insertRecords } from "./records/pg-record-store.js";
import { CALIB_REGISTRY_KEY, REGISTRY_KEY } from "./repository.js";

/** Options of {@link migrateRegistry}. */
export interface MigrateOptions {
  /** `postgresql://user@host:port/database?schema=NAME[&calibSchema=NAME][&sslmode=…]` (no password). */
  to: string;
  /** A pgpass-format file to record in `registry.pgsql` (outside the repository, mode 600). */
  passfile?: string;
  /** Options for the repository's storage (credentials). */
  storageOptions?: Record<string, unknown>;
}

/** What {@link migrateRegistry} copied. */
export interface MigrateResult {
  /** The configuration written to `registry.pgsql`. */
  config: PgConfig;
  /** Rows per exposure table. */
  tables: Record<string, number>;
  /** Rows per calibration table. */
  calibTables: Record<string, number>;
  /** Dataset records copied. */
  records: number;
  /** Records that writers added to the old store during the copy, copied after the switch. */
  caughtUp: number;
}

const RECORD_BATCH = 5_000;

/**
 * Copies the registries and records of a repository into PostgreSQL and switches it there.
 *
 * ```ts
 * await migrateRegistry("/data/rerun", { to: "postgresql://pipe@db:5432/survey?schema=rerun" });
 * ```
 * @throws ConfigError when the repository already uses PostgreSQL, has nothing to migrate, or the
 *   URL is bad; RegistryError when a target schema is not empty or the database fails (then
 *   nothing was switched and nothing is left in the database)
 */
export async function migrateRegistry(root: string, options: MigrateOptions): Promise<MigrateResult> {
  const tempScope = new TempScope();
  let storage: Storage | undefined;
  let db: PgDatabase | undefined;
  try {
    storage = await storageFromUri(root, { ...options.storageOptions, tempScope });
    if (await storage.exists(PG_CONFIG_KEY)) throw new ConfigError(`${storage.uri} already uses PostgreSQL (${PG_CONFIG_KEY}); nothing to migrate`);
    const hasRegistry = await storage.exists(REGISTRY_KEY);
    const hasCalib = await storage.exists(CALIB_REGISTRY_KEY);
    const config: PgConfig = { ...pgConfigFromUrl(options.to) };
    if (options.passfile !== undefined) config.passfile = options.passfile;
    if (hasCalib && config.calibSchema === undefined) config.calibSchema = `${config.schema}_calib`;
    const repositoryDir = storage.capabilities.localPath && storage.uri.startsWith("file:") ? fileURLToPath(storage.uri) : undefined;
    db = PgDatabase.connect(config, repositoryDir === undefined ? {} : { repositoryDir });

    const result: MigrateResult = { config, tables: {}, calibTables: {}, records: 0, caughtUp: 0 };
    const copied = new Set<string>();
    await db.transaction(async (tx) => {
      for (const schema of [config.schema, config.calibSchema]) if (schema !== undefined) await assertEmpty(tx, schema);
      if (hasRegistry) result.tables = await copySqlite(storage!, REGISTRY_KEY, (specs) => writePgTables(tx, config.schema, specs), false);
      if (hasCalib) result.calibTables = await copySqlite(storage!, CALIB_REGISTRY_KEY, (specs) => writePgTables(tx, config.calibSchema!, specs), true);
      await createRecordsTable(tx, config.schema);
      result.records = await copyRecords(storage!, (batch) => {
        for (const r of batch) copied.add(`${r.datasetType}\n${JSON.stringify(r.dataId)}\n${r.key}`);
        return insertRecords(tx, config.schema, batch);
      });
    });
    // the database holds everything: switch (an atomic write; readers see sqlite or PostgreSQL, whole)
    await storage.write(PG_CONFIG_KEY, formatPgConfig(config));
    // writers that still had the old store open may have recorded more meanwhile: copy what is new
    const catchUp: DatasetRecord[] = [];
    await copyRecords(storage, async (batch) => {
      for (const r of batch) if (!copied.has(`${r.datasetType}\n${JSON.stringify(r.dataId)}\n${r.key}`)) catchUp.push(r);
      return batch.length;
    });
    if (catchUp.length > 0) result.caughtUp = await db.transaction((tx) => insertRecords(tx, config.schema, catchUp, { onlyNew: true }));
    return result;
  } finally {
    await db?.close();
    await storage?.close();
    await tempScope.close();
  }
}

/** Refuses a schema that already holds tables. @throws ConfigError */
async function assertEmpty(tx: PgTransaction, schema: string): Promise<void> {
  const rows = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1", [schema]);
  if (Number(rows[0]!.n) > 0) throw new ConfigError(`schema "${schema}" already holds ${rows[0]!.n} table(s); migrate into a new or empty schema`);
  await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
}

/** Opens a registry object as a sqlite file (a download for a remote storage) and hands its tables on. */
async function copySqlite(storage: Storage, key: string, write: (specs: ReturnType<typeof sqliteTableSpecs>) => Promise<Record<string, number>>, calibration: boolean): Promise<Record<string, number>> {
  const local = await storage.getLocalFile(key);
  try {
    const sqlite = new Database(local.path, { readonly: true, fileMustExist: true });
    try {
      return await write(sqliteTableSpecs(sqlite, { calibration }));
    } finally {
      sqlite.close();
    }
  } finally {
    await local.release();
  }
}

/** Streams the repository's current records (sqlite beside local files, else record objects) in batches. */
async function copyRecords(storage: Storage, sink: (batch: DatasetRecord[]) => Promise<number>): Promise<number> {
  let n = 0;
  let batch: DatasetRecord[] = [];
  const flush = async () => {
    if (batch.length > 0) n += await sink(batch);
    batch = [];
  };
  if (storage.capabilities.localPath) {
    if (!(await storage.exists(DATASET_RECORDS_KEY))) return 0;
    const records = DatasetRecords.open(fileURLToPath(storage.uriOf(DATASET_RECORDS_KEY)), { readonly: true });
    try {
      for (const record of records.all()) {
        batch.push(record);
        if (batch.length >= RECORD_BATCH) await flush();
      }
      await flush();
    } finally {
      records.close();
    }
    return n;
  }
  for await (const record of new ObjectRecordStore(storage, { writable: false }).all()) {
    batch.push(record);
    if (batch.length >= RECORD_BATCH) await flush();
  }
  await flush();
  return n;
}

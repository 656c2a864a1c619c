/**
 * Which record store and database a repository uses, decided by what its root holds: a
 * `registry.pgsql` → PostgreSQL for the registry and the records; else local files →
 * `datasets.sqlite3`; else (an object store) → one record object per dataset.
 *
 * @packageDocumentation
 */
import { fileURLToPath } from "node:url";
import { PG_CONFIG_KEY, parsePgConfig, type PgConfig } from "../../../registry/pg/pg-config.js";
import { PgDatabase } from "../../../registry/pg/pg-database.js";
import type { Storage } from "../../storage/storage.js";
import { DATASET_RECORDS_KEY } from "../dataset-records.js";
import { refuseLinkedRecordsFile } from "./local-records-file.js";
import { ObjectRecordStore } from "./object-record-store.js";
import { PgRecordStore } from "./pg-record-store.js";
import type { RecordStore } from "./record-store.js";
import { SqliteRecordStore } from "./sqlite-record-store.js";

/** A repository's PostgreSQL database and the configuration it was opened with. */
export interface RepositoryDatabase {
  db: PgDatabase;
  config: PgConfig;
}

/**
 * Opens the database a repository's `registry.pgsql` names (the pool connects on first use), or
 * undefined when it has none. The password is never read from the repository: a passfile inside a
 * local repository is refused.
 * @throws ConfigError for a malformed `registry.pgsql`; StorageError when it cannot be read
 */
export async function openRepositoryDatabase(storage: Storage): Promise<RepositoryDatabase | undefined> {
  if (!(await storage.exists(PG_CONFIG_KEY))) return undefined;
  const config = parsePgConfig((await storage.read(PG_CONFIG_KEY)).toString("utf8"), storage.uriOf(PG_CONFIG_KEY));
  const repositoryDir = storage.capabilities.localPath && storage.uri.startsWith("file:") ? fileURLToPath(storage.uri) : undefined;
  return { db: PgDatabase.connect(config, repositoryDir === undefined ? {} : { repositoryDir }), config };
}

/** Options of {@link openRecordStore}. */
export interface OpenRecordStoreOptions {
  /** The repository is written to: create what is missing. */
  writable: boolean;
  /** The repository's PostgreSQL database, when it has one (see {@link openRepositoryDatabase}). */
  database?: RepositoryDatabase;
}

/**
 * The record store of a repository: PostgreSQL when it has a database, `datasets.sqlite3` for
 * local files (none for a read-only repository that never had one), else record objects.
 * @throws RegistryError when the store cannot be opened; ConfigError when `datasets.sqlite3` (or
 *   a companion file of it) is a symbolic link
 */
export async function openRecordStore(storage: Storage, options: OpenRecordStoreOptions): Promise<RecordStore | undefined> {
  const { writable, database } = options;
  if (database !== undefined) return PgRecordStore.open(database.db, database.config.schema, { create: writable });
  if (storage.capabilities.localPath) {
    const path = fileURLToPath(storage.uriOf(DATASET_RECORDS_KEY));
    if (!writable && !(await storage.exists(DATASET_RECORDS_KEY))) return undefined;
    await refuseLinkedRecordsFile(path);
    const store = SqliteRecordStore.open(path, { readonly: !writable });
    try {
      await refuseLinkedRecordsFile(path);
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }
  return new ObjectRecordStore(storage, { writable });
}

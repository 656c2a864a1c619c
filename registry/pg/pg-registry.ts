/**
 * The PostgreSQL registry: Gen2's `PgsqlRegistry` — the same tables as `registry.sqlite3` (or
 * `calibRegistry.sqlite3`) in one schema of a database server, so many hosts share them.
 *
 * @packageDocumentation
 */
import type { DataId } from "../../src/data-id.js";
import { ClosedError, RegistryError } from "../../src/errors.js";
import type { ColumnType, LookupOptions, RegistryRow, TableRegistry } from "../registry.js";
import { checkLookup, lookupSql, quoteIdentifier, shapeKey, type LookupShape, type TableSchema } from "../table-query.js";
import { PgDatabase, isBadValueError } from "./pg-database.js";
import type { PasswordSources, PgConfig } from "./pg-config.js";

/** Tables of a schema that belong to skybutler itself (the dataset records), not to the registry. */
export const INTERNAL_TABLE_PREFIX = "skybutler_";

/** Options of {@link PgRegistry.open}. */
export interface PgRegistryOptions {
  /** Close the database with the registry (it was opened for it alone). Default false. */
  ownsDatabase?: boolean;
}

/**
 * A {@link TableRegistry} over one schema of a PostgreSQL database: the same lookups, rows, order
 * and errors as {@link SqliteRegistry} (the Registry conformance suite runs on both). The schema
 * is read once at open; each query shape is prepared once per connection (a named statement) and
 * its text cached here.
 *
 * ```ts
 * const db = PgDatabase.connect(parsePgConfig(await storage.read("registry.pgsql").then(String)));
 * const registry = await PgRegistry.open(db, "hsc_rerun");
 * await registry.lookup(["filter"], ["raw"], { visit: 1 });   // [{ filter: "g" }]
 * ```
 */
export class PgRegistry implements TableRegistry {
  /** Answers from tables. */
  readonly kind = "table";
  readonly #db: PgDatabase;
  readonly #schemaName: string;
  readonly #schema: Map<string, TableSchema>;
  readonly #owns: boolean;
  readonly #sql = new Map<string, string>();
  #closed = false;

  private constructor(db: PgDatabase, schemaName: string, schema: Map<string, TableSchema>, owns: boolean) {
    this.#db = db;
    this.#schemaName = schemaName;
    this.#schema = schema;
    this.#owns = owns;
  }

  /**
   * Opens the registry of one schema (reads its tables and columns).
   * @throws RegistryError when the database cannot be reached or read; ClosedError for a closed database
   */
  static async open(db: PgDatabase, schema: string, options: PgRegistryOptions = {}): Promise<PgRegistry> {
    try {
      return new PgRegistry(db, schema, await readSchema(db, schema), options.ownsDatabase === true);
    } catch (err) {
      if (options.ownsDatabase) await db.close();
      throw err;
    }
  }

  /**
   * Connects with a configuration and opens its `schema` (the registry owns the connection).
   * @throws RegistryError, ConfigError
   */
  static async connect(config: PgConfig, sources: PasswordSources = {}): Promise<PgRegistry> {
    return PgRegistry.open(PgDatabase.connect(config, sources), config.schema, { ownsDatabase: true });
  }

  /** `user@host:port/database schema S`, for messages. */
  get where(): string {
    return `${this.#db.where} schema ${this.#schemaName}`;
  }

  /** The schema name. */
  get schemaName(): string {
    return this.#schemaName;
  }

  /**
   * `SELECT DISTINCT properties FROM tables (NATURAL JOIN'ed) WHERE k = $1 …` (and
   * `$n BETWEEN start AND end` for a range), ordered by the properties, as {@link TableRegistry.lookup}.
   * A value the column's type cannot hold (`"g"` for an integer) matches nothing, as in sqlite.
   * @throws RegistryError for an unknown table, property or range column, an empty list, or a database failure
   * @throws ClosedError after close
   */
  async lookup(properties: readonly string[], tables: readonly string[], dataId: Readonly<DataId>, options: LookupOptions = {}): Promise<RegistryRow[]> {
    this.#assertOpen();
    const { shape, values } = checkLookup(this.#schema, this.where, properties, tables, dataId, options);
    try {
      return await this.#db.query<RegistryRow>(this.#text(shape), values, { prepare: true });
    } catch (err) {
      if (isBadValueError(err)) return [];
      throw err;
    }
  }

  /** Table (and view) names, sorted. */
  tables(): string[] {
    return [...this.#schema.keys()];
  }

  /** Column names of a table in declaration order (empty for an unknown table). */
  columns(table: string): string[] {
    return [...(this.#schema.get(table)?.columns ?? [])];
  }

  /** Column name → data-id type, from the column's SQL type (empty for an unknown table). */
  columnTypes(table: string): Record<string, ColumnType> {
    return { ...(this.#schema.get(table)?.types ?? {}) };
  }

  /** Forgets the statements; closes the database if it owns it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#sql.clear();
    if (this.#owns) await this.#db.close();
  }

  #text(shape: LookupShape): string {
    const key = shapeKey(shape);
    let text = this.#sql.get(key);
    if (text === undefined) {
      const schema = quoteIdentifier(this.#schemaName);
      text = lookupSql(shape, (i) => `$${i}`, (table) => `${schema}.${table}`);
      this.#sql.set(key, text);
    }
    return text;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`registry ${this.where}`);
  }
}

/** Tables and views of a schema with their columns, sorted by name; skybutler's own tables left out. */
async function readSchema(db: PgDatabase, schema: string): Promise<Map<string, TableSchema>> {
  const rows = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = $1 AND left(table_name, ${INTERNAL_TABLE_PREFIX.length}) <> $2
      ORDER BY table_name COLLATE "C", ordinal_position`,
    [schema, INTERNAL_TABLE_PREFIX],
  );
  const out = new Map<string, TableSchema>();
  for (const row of rows) {
    let table = out.get(row.table_name);
    if (table === undefined) out.set(row.table_name, (table = { columns: [], types: {} }));
    table.columns.push(row.column_name);
    table.types[row.column_name] = columnType(row.data_type);
  }
  return out;
}

/** PostgreSQL's types mapped to data-id types (as sqlite's affinities are). */
export function columnType(dataType: string): ColumnType {
  if (/^(smallint|integer|bigint)$/.test(dataType)) return "int";
  if (/^(real|double precision|numeric)$/.test(dataType)) return "float";
  return "str";
}

/** Checks that a name is one PostgreSQL takes unquoted-safe (for schemas named in configuration). @throws RegistryError */
export function checkSchemaName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new RegistryError(`invalid schema name ${JSON.stringify(name)}: use letters, digits and _ (at most 63)`);
}

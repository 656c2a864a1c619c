/**
 * The Registry contract: metadata lookups that complete a data id (e.g. the `filter` of a visit).
 * Implementations: {@link SqliteRegistry} (`registry/sqlite/`), later PostgreSQL and a posix scan.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../src/data-id.js";

/** One result row: column name → value. */
export type RegistryRow = Record<string, DataIdValue>;

/** The data-id type of a registry column, from its declared SQL type (as `getKeys` reports it). */
export type ColumnType = "int" | "float" | "str";

/** Read access to a repository's metadata tables. */
export interface Registry {
  /**
   * `SELECT DISTINCT <properties> FROM <tables NATURAL JOIN'ed> WHERE <key = value …>`, where only
   * the data-id keys that are columns of the joined tables are used as constraints (as Gen2 did).
   * Rows come back in a stable order (sorted by the requested properties).
   * @throws RegistryError for an unknown table or property
   */
  lookup(properties: readonly string[], tables: readonly string[], dataId: Readonly<DataId>): RegistryRow[];

  /** Table names. */
  tables(): string[];

  /** Column names of a table (empty for an unknown table). */
  columns(table: string): string[];

  /** Column name → data-id type of a table (empty for an unknown table); used by `getKeys`. */
  columnTypes(table: string): Record<string, ColumnType>;

  /** Closes the database and releases the file it holds. */
  close(): Promise<void>;
}

/**
 * The Registry contract: metadata lookups that complete a data id (e.g. the `filter` of a visit).
 * Implementations: {@link SqliteRegistry} (`registry/sqlite/`, also the calibration registry) and
 * {@link PosixRegistry} (`registry/posix/`, rows parsed from file names); later PostgreSQL.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../src/data-id.js";

/** One result row: column name → value. */
export type RegistryRow = Record<string, DataIdValue>;

/** The data-id type of a registry column, from its declared SQL type (as `getKeys` reports it). */
export type ColumnType = "int" | "float" | "str";

/**
 * A validity-range condition (calibrations): `value BETWEEN <start column> AND <end column>`, both
 * ends inclusive, compared as stored (ISO-8601 text in one format compares chronologically).
 */
export interface RangeCondition {
  /** The observation time, e.g. the exposure's `taiObs`. */
  value: DataIdValue;
  /** Column holding the start of validity, e.g. `validStart`. */
  start: string;
  /** Column holding the end of validity, e.g. `validEnd`. */
  end: string;
}

/** Options of {@link Registry.lookup}. */
export interface LookupOptions {
  /** Only rows whose validity range contains a value (Gen2's `(value, lo, hi)` range key). */
  range?: RangeCondition;
}

/** Read access to a repository's metadata tables. */
export interface Registry {
  /**
   * `SELECT DISTINCT <properties> FROM <tables NATURAL JOIN'ed> WHERE <key = value …>
   * [AND ? BETWEEN <start> AND <end>]`, where only the data-id keys that are columns of the joined
   * tables are used as constraints (as Gen2 did). Rows come back in a stable order (sorted by the
   * requested properties).
   * @throws RegistryError for an unknown table, property or range column, or (PosixRegistry) always:
   *   it has no tables, see {@link Registry.lookupByTemplate}
   */
  lookup(properties: readonly string[], tables: readonly string[], dataId: Readonly<DataId>, options?: LookupOptions): RegistryRow[];

  /**
   * Present on registries whose rows come from file names rather than tables (PosixRegistry): the
   * distinct values of `properties` among the stored files that match `template` and the data id.
   * The mapper uses it instead of {@link Registry.lookup} when it is present.
   * @throws RegistryError when the template was not prepared or a property is not one of its keys
   */
  lookupByTemplate?(template: string, properties: readonly string[], dataId: Readonly<DataId>): RegistryRow[];

  /**
   * Present on registries that must read something before the synchronous lookups can answer
   * (PosixRegistry lists the files under each template). `CameraMapper.create` calls it with every
   * template of the policy.
   * @throws StorageError when the listing fails
   */
  prepare?(templates: readonly string[]): Promise<void>;

  /** Table names. */
  tables(): string[];

  /** Column names of a table (empty for an unknown table). */
  columns(table: string): string[];

  /** Column name → data-id type of a table (empty for an unknown table); used by `getKeys`. */
  columnTypes(table: string): Record<string, ColumnType>;

  /** Closes the database and releases the file it holds. */
  close(): Promise<void>;
}

/**
 * The Registry contract: metadata lookups that complete a data id (e.g. the `filter` of a visit).
 * Two kinds, told apart by `kind` so that a caller branches on what a registry *is*, never on which
 * methods it happens to have:
 *
 * - a {@link TableRegistry} answers from tables: {@link SqliteRegistry} (`registry/sqlite/`, also the
 *   calibration registry) and {@link PgRegistry} (`registry/pg/`, a repository's `registry.pgsql`);
 * - a {@link TemplateRegistry} answers from the names of stored files: {@link ScanRegistry}
 *   (`registry/scan/`, Gen2's PosixRegistry), for a repository without a registry file.
 *
 * Lookups are asynchronous, so a registry on a database server fits the same contract. What both
 * kinds share — distinct rows, sorted, constraints on the keys they know, typed errors, close — is
 * checked by one conformance suite (`describeRegistryConformance` in src/testing/registry-conformance.ts,
 * run by test/conformance/registry.test.ts).
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

/** Options of {@link TableRegistry.lookup}. */
export interface LookupOptions {
  /** Only rows whose validity range contains a value (Gen2's `(value, lo, hi)` range key). */
  range?: RangeCondition;
}

/** A registry whose rows live in tables (sqlite, PostgreSQL). */
export interface TableRegistry {
  /** Tells the kinds apart. */
  readonly kind: "table";

  /**
   * `SELECT DISTINCT properties FROM tables (NATURAL JOIN'ed) WHERE key = value …` (and
   * `? BETWEEN start AND end` for a range), where only the data-id keys that are columns of the joined
   * tables constrain (as Gen2 did). Rows come back sorted by the requested properties.
   * @throws RegistryError for an unknown table, property or range column, an empty property or
   *   table list, or a database failure
   * @throws ClosedError after close
   */
  lookup(properties: readonly string[], tables: readonly string[], dataId: Readonly<DataId>, options?: LookupOptions): Promise<RegistryRow[]>;

  /** Table (and view) names, sorted; read when the registry was opened. */
  tables(): string[];

  /** Column names of a table in declaration order (empty for an unknown table). */
  columns(table: string): string[];

  /** Column name → data-id type of a table (empty for an unknown table); used by `getKeys`. */
  columnTypes(table: string): Record<string, ColumnType>;

  /** Closes the database and releases what it holds (a downloaded file, a pool). Idempotent. */
  close(): Promise<void>;
}

/** A registry whose rows are the data ids parsed from the names of stored files, per template. */
export interface TemplateRegistry {
  /** Tells the kinds apart. */
  readonly kind: "template";

  /**
   * Reads what lookups need (lists the files below each template's static prefix); again for a
   * template already prepared, so it also refreshes. The mapper calls it with every template of
   * its policy when it is created.
   * @throws PolicyError for a malformed template; StorageError when the listing fails; ClosedError after close
   */
  prepare(templates: readonly string[]): Promise<void>;

  /**
   * The distinct values of `properties` among the files of `template` whose parsed data id agrees
   * with `dataId` on the template's keys (other keys do not constrain), sorted.
   * @throws RegistryError when the template was not prepared or a property is not one of its keys
   * @throws ClosedError after close
   */
  lookup(properties: readonly string[], template: string, dataId: Readonly<DataId>): Promise<RegistryRow[]>;

  /**
   * Records one newly written key without listing again (after a put).
   * @returns whether it matched a prepared template
   */
  addKey(key: string): boolean;

  /** Forgets what was read. Idempotent. */
  close(): Promise<void>;
}

/** Either kind of registry. */
export type Registry = TableRegistry | TemplateRegistry;

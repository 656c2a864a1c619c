/**
 * Builds a Gen2-layout `registry.sqlite3` from raw-file metadata (what Gen2's `genInputRegistry.py`
 * scripts did from FITS headers).
 *
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import { renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import Database from "better-sqlite3";
import { RegistryError } from "../src/errors.js";
import { checkIdentifier, createTable, defaultUnique, defaultVisitColumns, insertStatement, sqlTypeOf, type RegistryInputRow } from "./registry-tables.js";

export type { RegistryInputRow } from "./registry-tables.js";

/** Options of {@link buildRegistry}. */
export interface BuildRegistryOptions {
  /** Name of the per-file table (default `raw`); the per-visit table is `<table>_visit`. */
  table?: string;
  /** Also write the per-visit table (default true); needs a `visit` column. */
  visitTable?: boolean;
  /**
   * Columns of the per-visit table besides `visit`. Default: every column except the per-detector
   * ones (`ccd`, `detector`, `channel`, `hdu`, `ccdnum`). Each must have one value per visit.
   */
  visitColumns?: readonly string[];
  /**
   * Columns that identify one row of the per-file table (a UNIQUE constraint). Default: `visit`
   * and `ccd`, those present; a camera with other detector keys names its own (e.g.
   * `[visit, raft, sensor]`).
   */
  unique?: readonly string[];
}

/** What {@link buildRegistry} wrote. */
export interface BuildRegistryResult {
  /** The registry file. */
  path: string;
  /** Rows written per table. */
  tables: Record<string, number>;
}

/**
 * Writes a registry with table `raw` (one row per visit×ccd) and `raw_visit` (one row per visit),
 * atomically: it is built in a temp file beside `dbPath` and renamed over it. Column types come
 * from the values (all integers → INTEGER, numbers → REAL, else TEXT); rows are inserted sorted, so
 * the same rows always give the same table content.
 *
 * ```ts
 * buildRegistry("repo/registry.sqlite3", [
 *   { visit: 1, ccd: 0, filter: "g", expTime: 30 },
 *   { visit: 1, ccd: 1, filter: "g", expTime: 30 },
 * ]);
 * ```
 * @throws RegistryError for a bad table/column name, a non-finite number, a missing `visit` with
 *   `visitTable`, duplicate (visit, ccd) rows, or a per-visit column whose value differs within a visit
 */
export function buildRegistry(
  dbPath: string,
  rows: readonly RegistryInputRow[],
  options: BuildRegistryOptions = {},
): BuildRegistryResult {
  const table = options.table ?? "raw";
  const withVisit = options.visitTable ?? true;
  checkIdentifier(table, "table");
  const columns = columnsOf(rows);
  const types = new Map(columns.map((c) => [c, sqlType(rows, c)]));
  const sorted = [...rows].sort(rowOrder(columns));
  const unique = [...(options.unique ?? defaultUnique(columns))];
  for (const c of unique) if (!columns.includes(c)) throw new RegistryError(`unique column "${c}" is not in the rows; columns: ${columns.join(", ")}`);

  let visitColumns: string[] = [];
  let visitRows: RegistryInputRow[] = [];
  if (withVisit) {
    if (!columns.includes("visit")) throw new RegistryError(`cannot build ${table}_visit: the rows have no "visit" column`);
    visitColumns = options.visitColumns === undefined ? defaultVisitColumns(columns) : ["visit", ...options.visitColumns.filter((c) => c !== "visit")];
    for (const c of visitColumns) {
      if (!columns.includes(c)) throw new RegistryError(`visit column "${c}" is not in the rows; columns: ${columns.join(", ")}`);
    }
    visitRows = perVisit(sorted, visitColumns);
  }

  writeAtomically(dbPath, unique, (db) => {
    createAndFill(db, table, columns, types, sorted, unique);
    if (withVisit) createAndFill(db, `${table}_visit`, visitColumns, types, visitRows, ["visit"]);
  });
  const counts: Record<string, number> = { [table]: sorted.length };
  if (withVisit) counts[`${table}_visit`] = visitRows.length;
  return { path: dbPath, tables: counts };
}

/** Options of {@link buildCalibRegistry}. */
export interface BuildCalibRegistryOptions {
  /** Validity columns every table must have (default `validStart`, `validEnd`). */
  validStartName?: string;
  validEndName?: string;
}

/**
 * Writes a Gen2-layout `calibRegistry.sqlite3`: one table per calibration type, each row one
 * calibration product with its validity range (obs_test's
 * `flat(calibDate, validStart, validEnd, filter, ccd)`), atomically like {@link buildRegistry}. Validity values are compared as stored by
 * lookups, so write them as ISO-8601 text in one format (e.g. `2026-03-01T00:00:00.000`).
 *
 * ```ts
 * buildCalibRegistry("repo/calibRegistry.sqlite3", {
 *   flat: [{ calibDate: "2026-02-28", validStart: "2026-02-28T00:00:00", validEnd: "2026-03-01T23:59:59", filter: "g", ccd: 0 }],
 *   bias: [{ calibDate: "2026-02-28", validStart: "2026-02-28T00:00:00", validEnd: "2026-03-01T23:59:59", ccd: 0 }],
 * });
 * ```
 * @throws RegistryError for a bad table/column name, an empty table, a row without both validity
 *   columns, or a row whose validity ends before it starts
 */
export function buildCalibRegistry(
  dbPath: string,
  tables: Readonly<Record<string, readonly RegistryInputRow[]>>,
  options: BuildCalibRegistryOptions = {},
): BuildRegistryResult {
  const start = options.validStartName ?? "validStart";
  const end = options.validEndName ?? "validEnd";
  const counts: Record<string, number> = {};
  const fills: Array<(db: Database.Database) => void> = [];
  for (const [table, rows] of Object.entries(tables)) {
    checkIdentifier(table, "table");
    if (rows.length === 0) throw new RegistryError(`calibration table "${table}" has no rows; leave it out instead`);
    for (const row of rows) {
      const [from, to] = [row[start], row[end]];
      if (from === undefined || to === undefined) {
        throw new RegistryError(`a row of calibration table "${table}" lacks "${start}" or "${end}": ${JSON.stringify(row)}`);
      }
      if (compareValues(from, to) > 0) throw new RegistryError(`a row of "${table}" ends its validity before it starts: ${JSON.stringify(row)}`);
    }
    const columns = columnsOf(rows);
    const types = new Map(columns.map((c) => [c, sqlType(rows, c)]));
    const sorted = [...rows].sort(rowOrder(columns));
    fills.push((db) => createAndFill(db, table, columns, types, sorted, []));
    counts[table] = rows.length;
  }
  writeAtomically(dbPath, [], (db) => {
    for (const fill of fills) fill(db);
  });
  return { path: dbPath, tables: counts };
}

/** Builds a database in a temp file beside `dbPath` in one transaction, then renames it over `dbPath`. */
function writeAtomically(dbPath: string, unique: readonly string[], fill: (db: Database.Database) => void): void {
  const tmp = join(dirname(dbPath), `.${basename(dbPath)}.tmp-${randomBytes(6).toString("hex")}`);
  try {
    const db = new Database(tmp);
    try {
      db.transaction(() => fill(db))();
    } finally {
      db.close();
    }
    renameSync(tmp, dbPath);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof RegistryError) throw err;
    const code = (err as { code?: string }).code;
    if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
      throw new RegistryError(`duplicate rows for (${unique.join(", ")}) in the registry input: ${(err as Error).message}`, {
        cause: err,
      });
    }
    throw new RegistryError(`cannot write registry ${dbPath}: ${(err as Error).message}`, { cause: err });
  }
}

function createAndFill(
  db: Database.Database,
  table: string,
  columns: string[],
  types: Map<string, string>,
  rows: readonly RegistryInputRow[],
  unique: string[],
): void {
  createTable(db, table, columns, types, unique);
  const insert = insertStatement(db, table, columns);
  for (const row of rows) insert.run(...columns.map((c) => row[c] ?? null));
}

/** Columns in order of first appearance: deterministic for the same input. */
function columnsOf(rows: readonly RegistryInputRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) {
    for (const [key, value] of Object.entries(row)) {
      if (!seen.has(key)) {
        checkIdentifier(key, "column");
        seen.add(key);
      }
      if (typeof value === "number" && !Number.isFinite(value)) {
        throw new RegistryError(`column "${key}" has a non-finite value ${value}; registries hold finite numbers only`);
      }
      if (typeof value !== "number" && typeof value !== "string") {
        throw new RegistryError(`column "${key}" has a ${typeof value} value; registry values are strings or numbers`);
      }
    }
  }
  return [...seen];
}

function sqlType(rows: readonly RegistryInputRow[], column: string): string {
  return sqlTypeOf(rows.map((r) => r[column]));
}

/** Orders by `visit`, `ccd`, then every other column, so insertion order never depends on input order. */
function rowOrder(columns: string[]): (a: RegistryInputRow, b: RegistryInputRow) => number {
  const order = [...["visit", "ccd"].filter((c) => columns.includes(c)), ...columns.filter((c) => c !== "visit" && c !== "ccd")];
  return (a, b) => {
    for (const c of order) {
      const d = compareValues(a[c], b[c]);
      if (d !== 0) return d;
    }
    return 0;
  };
}

function compareValues(a: string | number | undefined, b: string | number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function perVisit(sorted: readonly RegistryInputRow[], visitColumns: string[]): RegistryInputRow[] {
  const byVisit = new Map<string | number, RegistryInputRow>();
  for (const row of sorted) {
    const visit = row.visit;
    if (visit === undefined) throw new RegistryError(`a row has no "visit": ${JSON.stringify(row)}`);
    const first = byVisit.get(visit);
    if (first === undefined) {
      byVisit.set(visit, Object.fromEntries(visitColumns.filter((c) => row[c] !== undefined).map((c) => [c, row[c]!])));
      continue;
    }
    for (const c of visitColumns) {
      if (first[c] !== row[c]) {
        throw new RegistryError(
          `column "${c}" differs within visit ${visit} (${JSON.stringify(first[c])} vs ${JSON.stringify(row[c])}); ` +
            `leave it out of visitColumns or fix the input`,
        );
      }
    }
  }
  return [...byVisit.values()];
}

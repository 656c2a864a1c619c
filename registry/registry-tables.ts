/**
 * What building a registry and adding rows to one share: the Gen2 table layout (a per-file table
 * and its per-visit table), the column types taken from values, and the checks of names.
 *
 * @packageDocumentation
 */
import type Database from "better-sqlite3";
import { RegistryError } from "../src/errors.js";

/** One raw file's metadata, e.g. `{visit: 1, ccd: 0, filter: "g", expTime: 30, taiObs: "…"}`. */
export type RegistryInputRow = Record<string, string | number>;

/** Columns that vary within a visit: left out of the per-visit table by default. */
export const PER_DETECTOR: ReadonlySet<string> = new Set(["ccd", "detector", "channel", "hdu", "ccdnum"]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Refuses a table or column name that is not a plain identifier (names are spliced into SQL).
 * @throws RegistryError
 */
export function checkIdentifier(name: string, what: string): void {
  if (!IDENTIFIER.test(name)) throw new RegistryError(`invalid registry ${what} name ${JSON.stringify(name)}: use letters, digits and _`);
}

/** The SQL type of a column from its values: all integers → INTEGER, numbers → REAL, else TEXT. */
export function sqlTypeOf(values: ReadonlyArray<string | number | undefined>): string {
  const present = values.filter((v) => v !== undefined);
  if (present.length > 0 && present.every((v) => typeof v === "number" && Number.isSafeInteger(v))) return "INTEGER";
  if (present.length > 0 && present.every((v) => typeof v === "number")) return "REAL";
  return "TEXT";
}

/** The default unique columns of the per-file table: `visit` and `ccd`, those present. */
export function defaultUnique(columns: readonly string[]): string[] {
  return ["visit", "ccd"].filter((c) => columns.includes(c));
}

/** The default columns of the per-visit table: `visit` first, then every column but the per-detector ones. */
export function defaultVisitColumns(columns: readonly string[]): string[] {
  return ["visit", ...columns.filter((c) => !PER_DETECTOR.has(c) && c !== "visit")];
}

/** `CREATE TABLE` with the columns, their types and a UNIQUE constraint (none when `unique` is empty). */
export function createTable(db: Database.Database, table: string, columns: readonly string[], types: ReadonlyMap<string, string>, unique: readonly string[]): void {
  const defs = columns.map((c) => `"${c}" ${types.get(c)}`);
  if (unique.length > 0) defs.push(`UNIQUE (${unique.map((c) => `"${c}"`).join(", ")})`);
  db.exec(`CREATE TABLE "${table}" (${defs.join(", ")})`);
}

/** A prepared INSERT of the columns into the table. */
export function insertStatement(db: Database.Database, table: string, columns: readonly string[]): Database.Statement {
  return db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
}

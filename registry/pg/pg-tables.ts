/**
 * Writes registry tables into a PostgreSQL schema: the layout `buildRegistry` and
 * `buildCalibRegistry` give sqlite (integers, doubles, text compared byte-wise as sqlite does),
 * plus what only a server can enforce — a calibration table refuses two products whose validity
 * ranges overlap for the same key (an exclusion constraint over `btree_gist`, as Gen3 does).
 *
 * @packageDocumentation
 */
import { RegistryError } from "../../src/errors.js";
import type { ColumnType } from "../registry.js";
import { quoteIdentifier as q } from "../table-query.js";
import { sqlState, type PgTransaction } from "./pg-database.js";
import { checkSchemaName } from "./pg-registry.js";

/** A value of a registry row. */
export type PgCell = string | number | null;

/** A calibration table's validity: the range columns and the key within which ranges may not overlap. */
export interface PgValidity {
  start: string;
  end: string;
  /** Columns that name one calibration (e.g. `filter`, `ccd`): rows agreeing on all of them may not overlap. */
  keys: string[];
}

/** One table to write. */
export interface PgTableSpec {
  name: string;
  columns: ReadonlyArray<{ name: string; type: ColumnType }>;
  /** Column sets that identify one row (UNIQUE constraints). */
  unique?: readonly string[][];
  /** Set for a calibration table. */
  validity?: PgValidity;
  /** Rows, each in column order. */
  rows: Iterable<readonly PgCell[]> | AsyncIterable<readonly PgCell[]>;
}

/** Columns never part of a calibration's key by default: its own name and bookkeeping. */
const NOT_KEYS = new Set(["calibDate", "id", "version"]);

/**
 * The default validity of a calibration table: `validStart`/`validEnd` (or the given names) when
 * both are columns, keyed on every other column except `calibDate`, `id` and `version`.
 */
export function defaultValidity(columns: readonly string[], start = "validStart", end = "validEnd"): PgValidity | undefined {
  if (!columns.includes(start) || !columns.includes(end)) return undefined;
  return { start, end, keys: columns.filter((c) => c !== start && c !== end && !NOT_KEYS.has(c)) };
}

const SQL_TYPE: Record<ColumnType, string> = { int: "bigint", float: "double precision", str: 'text COLLATE "C"' };
const ARRAY_TYPE: Record<ColumnType, string> = { int: "bigint[]", float: "double precision[]", str: "text[]" };
const BATCH = 5_000;

/**
 * Creates the schema (if needed) and the tables in it, and fills them, inside the caller's
 * transaction: nothing is visible to others until it commits.
 * @returns rows written per table
 * @throws RegistryError for a bad name, a table that exists already, duplicate rows, or overlapping
 *   validity ranges (SQLSTATE 23P01) — naming the table
 */
export async function writePgTables(tx: PgTransaction, schema: string, tables: readonly PgTableSpec[]): Promise<Record<string, number>> {
  checkSchemaName(schema);
  await tx.query(`CREATE SCHEMA IF NOT EXISTS ${q(schema)}`);
  const counts: Record<string, number> = {};
  for (const table of tables) {
    await createTable(tx, schema, table);
    let n = 0;
    let batch: Array<readonly PgCell[]> = [];
    for await (const row of table.rows) {
      batch.push(row);
      if (batch.length >= BATCH) {
        n += await insertRows(tx, schema, table.name, table.columns, batch);
        batch = [];
      }
    }
    if (batch.length > 0) n += await insertRows(tx, schema, table.name, table.columns, batch);
    counts[table.name] = n;
  }
  return counts;
}

async function createTable(tx: PgTransaction, schema: string, table: PgTableSpec): Promise<void> {
  const defs = table.columns.map((c) => `${q(c.name)} ${SQL_TYPE[c.type]}`);
  for (const unique of table.unique ?? []) defs.push(`UNIQUE (${unique.map(q).join(", ")})`);
  const validity = table.validity;
  if (validity !== undefined) {
    const types = new Map(table.columns.map((c) => [c.name, c.type]));
    const startType = types.get(validity.start);
    if (startType === undefined || types.get(validity.end) !== startType) {
      throw new RegistryError(`calibration table "${table.name}": validity columns "${validity.start}" and "${validity.end}" must both exist with one type`);
    }
    for (const key of validity.keys) if (!types.has(key)) throw new RegistryError(`calibration table "${table.name}": key column "${key}" does not exist`);
    // ISO-8601 text compares chronologically byte-wise: a text range in the "C" collation; numbers: numrange
    let range: string;
    if (startType === "str") {
      await tx.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
      const exists = await tx.query(`SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = 'validity_range'`, [schema]);
      if (exists.length === 0) await tx.query(`CREATE TYPE ${q(schema)}.validity_range AS RANGE (subtype = text, collation = "C")`);
      range = `${q(schema)}.validity_range(${q(validity.start)}, ${q(validity.end)}, '[]')`;
    } else {
      await tx.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
      range = `numrange(${q(validity.start)}::numeric, ${q(validity.end)}::numeric, '[]')`;
    }
    defs.push(`CHECK (${q(validity.start)} <= ${q(validity.end)})`);
    defs.push(`CONSTRAINT ${q(`${table.name}_validity`)} EXCLUDE USING gist (${[...validity.keys.map((k) => `${q(k)} WITH =`), `(${range}) WITH &&`].join(", ")})`);
  }
  try {
    await tx.query(`CREATE TABLE ${q(schema)}.${q(table.name)} (${defs.join(", ")})`);
  } catch (err) {
    if (sqlState(err) === "42P07") throw new RegistryError(`table "${table.name}" exists already in schema ${schema}; choose an empty schema`, { cause: err });
    throw err;
  }
}

/**
 * Inserts rows (in column order) with one statement per batch (arrays unnested server-side).
 * @returns the number of rows inserted
 * @throws RegistryError for duplicate rows (23505) or overlapping validity ranges (23P01), naming the table
 */
export async function insertRows(tx: PgTransaction, schema: string, table: string, columns: ReadonlyArray<{ name: string; type: ColumnType }>, rows: ReadonlyArray<readonly PgCell[]>): Promise<number> {
  const arrays = columns.map((_, i) => rows.map((r) => r[i] ?? null));
  const unnest = columns.map((c, i) => `$${i + 1}::${ARRAY_TYPE[c.type]}`).join(", ");
  try {
    await tx.query(`INSERT INTO ${q(schema)}.${q(table)} (${columns.map((c) => q(c.name)).join(", ")}) SELECT * FROM unnest(${unnest})`, arrays);
  } catch (err) {
    const state = sqlState(err);
    if (state === "23P01") {
      throw new RegistryError(`calibration table "${table}": two products of the same key have overlapping validity ranges (the database refused them): ${(err as Error).message}`, { cause: err });
    }
    if (state === "23505") throw new RegistryError(`duplicate rows in registry table "${table}": ${(err as Error).message}`, { cause: err });
    throw err;
  }
  return rows.length;
}

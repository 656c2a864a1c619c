/**
 * Reads the tables of a sqlite registry as {@link PgTableSpec}s — columns with their data-id
 * types, UNIQUE constraints, rows streamed — so that a registry moves to PostgreSQL unchanged.
 *
 * @packageDocumentation
 */
import Database from "better-sqlite3";
import { RegistryError } from "../../src/errors.js";
import { quoteIdentifier as q } from "../table-query.js";
import { sqliteColumnType } from "../sqlite/sqlite-registry.js";
import { defaultValidity, type PgCell, type PgTableSpec } from "./pg-tables.js";

/** Options of {@link sqliteTableSpecs}. */
export interface SqliteTableOptions {
  /** A calibration registry: tables with `validStart`/`validEnd` get the exclusion constraint. */
  calibration?: boolean;
}

/**
 * The tables of an open sqlite database (views and sqlite's own tables left out), in name order.
 * Rows are read lazily, in rowid order, when the spec's `rows` is iterated — keep the database open until then.
 * @throws RegistryError when the file is not a sqlite database
 */
export function sqliteTableSpecs(db: Database.Database, options: SqliteTableOptions = {}): PgTableSpec[] {
  let names: string[];
  try {
    names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  } catch (err) {
    throw new RegistryError(`cannot read the registry's tables: ${(err as Error).message}`, { cause: err });
  }
  return names.map((name) => {
    const info = db.prepare(`PRAGMA table_info(${q(name)})`).all() as Array<{ name: string; type: string }>;
    const columns = info.map((c) => ({ name: c.name, type: sqliteColumnType(c.type) }));
    const unique: string[][] = [];
    for (const index of db.prepare(`PRAGMA index_list(${q(name)})`).all() as Array<{ name: string; unique: number; origin: string }>) {
      if (index.unique !== 1 || index.origin === "pk") continue;
      unique.push((db.prepare(`PRAGMA index_info(${q(index.name)})`).all() as Array<{ name: string }>).map((c) => c.name));
    }
    const validity = options.calibration ? defaultValidity(columns.map((c) => c.name)) : undefined;
    const select = db.prepare(`SELECT ${columns.map((c) => q(c.name)).join(", ")} FROM ${q(name)}`).raw();
    const rows: Iterable<readonly PgCell[]> = { [Symbol.iterator]: () => select.iterate() as IterableIterator<PgCell[]> };
    return { name, columns, unique, ...(validity === undefined ? {} : { validity }), rows };
  });
}

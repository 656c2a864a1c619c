/**
 * What every {@link TableRegistry} does the same way, whatever its database: checking a lookup's
 * names against the schema read at open, and the SQL text of a lookup — so that sqlite and
 * PostgreSQL answer the same question with the same rows and raise the same errors.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../src/data-id.js";
import { RegistryError } from "../src/errors.js";
import type { ColumnType, LookupOptions } from "./registry.js";

/** A table or view of an open registry: the only names ever put into SQL text. */
export interface TableSchema {
  /** Column names in declaration order. */
  columns: string[];
  /** Column name → data-id type. */
  types: Record<string, ColumnType>;
}

/** The names of one lookup: the SQL text depends only on these, never on the values. */
export interface LookupShape {
  properties: string[];
  tables: string[];
  /** Data-id keys that constrain (columns of the joined tables), sorted. */
  keys: string[];
  /** Validity columns `[start, end]` of a range condition. */
  range?: [string, string];
}

/** A checked lookup: its shape and the values to bind, in placeholder order. */
export interface CheckedLookup {
  shape: LookupShape;
  values: DataIdValue[];
}

/**
 * Checks a lookup against the schema: known tables, properties and range columns of the joined
 * tables, a comparable range value. Data-id keys that are not columns are dropped (as Gen2).
 * @param where - what to name in messages (the registry file or schema)
 * @throws RegistryError for an empty property or table list, an unknown table, property or range
 *   column, or a range value that is neither a string nor a number
 */
export function checkLookup(
  schema: ReadonlyMap<string, TableSchema>,
  where: string,
  properties: readonly string[],
  tables: readonly string[],
  dataId: Readonly<DataId>,
  options: LookupOptions = {},
): CheckedLookup {
  if (properties.length === 0) throw new RegistryError("registry lookup needs at least one property");
  if (tables.length === 0) throw new RegistryError("registry lookup needs at least one table");
  const joined = new Set<string>();
  for (const table of tables) {
    const known = schema.get(table);
    if (known === undefined) {
      throw new RegistryError(`unknown registry table "${table}" in ${where}; known tables: ${[...schema.keys()].join(", ") || "(none)"}`);
    }
    for (const column of known.columns) joined.add(column);
  }
  const range = options.range;
  const checked = range === undefined ? properties : [...properties, range.start, range.end];
  for (const property of checked) {
    if (!joined.has(property)) {
      const what = property === range?.start || property === range?.end ? "validity column" : "column";
      throw new RegistryError(`"${property}" is not a ${what} of registry table(s) ${tables.join(", ")}; known columns: ${[...joined].join(", ")}`);
    }
  }
  if (range !== undefined && typeof range.value !== "string" && typeof range.value !== "number") {
    throw new RegistryError(`a validity range needs a string or number to compare, not ${typeof range.value}`);
  }
  const keys = Object.keys(dataId)
    .filter((k) => joined.has(k))
    .sort();
  const values = keys.map((k) => dataId[k]!);
  if (range !== undefined) values.push(range.value);
  return {
    shape: { properties: [...new Set(properties)], tables: [...new Set(tables)], keys, ...(range === undefined ? {} : { range: [range.start, range.end] }) },
    values,
  };
}

/** A key for caching one prepared statement per shape. */
export function shapeKey(shape: LookupShape): string {
  return JSON.stringify([shape.properties, shape.tables, shape.keys, shape.range ?? null]);
}

/**
 * `SELECT DISTINCT … FROM a NATURAL JOIN b WHERE k = ? … AND ? BETWEEN s AND e ORDER BY …`, with
 * identifiers quoted and placeholders made by `placeholder(i)` (sqlite `?`, PostgreSQL `$1`).
 * @param qualify - prefixes a table name (a PostgreSQL schema), already quoted
 */
export function lookupSql(shape: LookupShape, placeholder: (index: number) => string, qualify: (quotedTable: string) => string = (t) => t): string {
  let n = 0;
  const cols = shape.properties.map(quoteIdentifier).join(", ");
  const conditions = shape.keys.map((k) => `${quoteIdentifier(k)} = ${placeholder(++n)}`);
  if (shape.range !== undefined) conditions.push(`${placeholder(++n)} BETWEEN ${quoteIdentifier(shape.range[0])} AND ${quoteIdentifier(shape.range[1])}`);
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "";
  const from = shape.tables.map((t) => qualify(quoteIdentifier(t))).join(" NATURAL JOIN ");
  return `SELECT DISTINCT ${cols} FROM ${from}${where} ORDER BY ${cols}`;
}

/** Quotes an identifier that was already checked against the schema (defence in depth). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

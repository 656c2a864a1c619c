/**
 * The sqlite registry: Gen2's `registry.sqlite3` (tables `raw`, `raw_visit`, …) opened read-only.
 *
 * @packageDocumentation
 */
import Database from "better-sqlite3";
import type { DataId } from "../../src/data-id.js";
import { ClosedError, RegistryError } from "../../src/errors.js";
import type { LocalFile } from "../../src/temp/index.js";
import type { ColumnType, LookupOptions, RegistryRow, TableRegistry } from "../registry.js";

/** A table or column of the open database: the only names ever put into SQL text. */
interface TableSchema {
  columns: string[];
  types: Record<string, ColumnType>;
}

/**
 * A {@link TableRegistry} over a sqlite file, opened read-only through a {@link LocalFile} lease.
 *
 * The registry holds the lease until {@link SqliteRegistry.close}, so a remote repository's
 * downloaded `registry.sqlite3` lives exactly as long as the open registry.
 *
 * ```ts
 * const registry = SqliteRegistry.open(await storage.getLocalFile("registry.sqlite3"));
 * await registry.lookup(["filter"], ["raw"], { visit: 1 });   // [{ filter: "g" }]
 * await registry.close();                                // releases the file
 * ```
 */
export class SqliteRegistry implements TableRegistry {
  /** Answers from tables. */
  readonly kind = "table";
  readonly #db: Database.Database;
  readonly #file: LocalFile;
  readonly #schema: Map<string, TableSchema>;
  // One prepared statement per query shape: the SQL text depends only on the names, never on values.
  readonly #statements = new Map<string, Database.Statement>();
  #closed = false;

  private constructor(db: Database.Database, file: LocalFile, schema: Map<string, TableSchema>) {
    this.#db = db;
    this.#file = file;
    this.#schema = schema;
  }

  /**
   * Opens a sqlite registry read-only. Takes ownership of the lease: {@link SqliteRegistry.close}
   * releases it, and so does a failed open (so `open(await storage.getLocalFile(k))` never leaks).
   * @param file - a lease on the local sqlite file
   * @throws RegistryError when the file is missing, unreadable or not a sqlite database
   */
  static open(file: LocalFile): SqliteRegistry {
    let db: Database.Database | undefined;
    try {
      db = new Database(file.path, { readonly: true, fileMustExist: true });
      // better-sqlite3 opens any file lazily; reading the schema is what proves it is sqlite.
      const schema = readSchema(db);
      return new SqliteRegistry(db, file, schema);
    } catch (err) {
      db?.close();
      void file.release().catch(() => undefined);
      const code = (err as { code?: string }).code;
      const why =
        code === "SQLITE_NOTADB"
          ? "the file is not a sqlite database (was it downloaded completely? is it a registry.pgsql?)"
          : code === "SQLITE_CANTOPEN"
            ? "the file does not exist or cannot be opened"
            : (err as Error).message;
      throw new RegistryError(`cannot open registry ${file.path}: ${why}`, { cause: err });
    }
  }

  /** Path of the sqlite file (for messages). */
  get path(): string {
    return this.#file.path;
  }

  /** Whether {@link SqliteRegistry.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * `SELECT DISTINCT properties FROM tables (NATURAL JOIN'ed) WHERE k = ? …` (and
   * `? BETWEEN start AND end` for a range), ordered by the properties. Only data-id keys that are columns of the joined tables
   * constrain (as Gen2); the range's columns must be columns of the joined tables.
   *
   * ```ts
   * await calibRegistry.lookup(["calibDate"], ["flat"], { filter: "g", ccd: 1 },
   *   { range: { value: "2026-03-01T03:00:00", start: "validStart", end: "validEnd" } });
   * ```
   * @throws RegistryError for an unknown table, property or range column, or an empty property/table list
   * @throws ClosedError after close
   */
  async lookup(properties: readonly string[], tables: readonly string[], dataId: Readonly<DataId>, options: LookupOptions = {}): Promise<RegistryRow[]> {
    this.#assertOpen();
    if (properties.length === 0) throw new RegistryError("registry lookup needs at least one property");
    if (tables.length === 0) throw new RegistryError("registry lookup needs at least one table");
    const joined = new Set<string>();
    for (const table of tables) {
      const schema = this.#schema.get(table);
      if (schema === undefined) {
        throw new RegistryError(
          `unknown registry table "${table}" in ${this.path}; known tables: ${[...this.#schema.keys()].join(", ") || "(none)"}`,
        );
      }
      for (const column of schema.columns) joined.add(column);
    }
    const range = options.range;
    const checked = range === undefined ? properties : [...properties, range.start, range.end];
    for (const property of checked) {
      if (!joined.has(property)) {
        const what = property === range?.start || property === range?.end ? "validity column" : "column";
        throw new RegistryError(
          `"${property}" is not a ${what} of registry table(s) ${tables.join(", ")}; known columns: ${[...joined].join(", ")}`,
        );
      }
    }
    if (range !== undefined && typeof range.value !== "string" && typeof range.value !== "number") {
      throw new RegistryError(`a validity range needs a string or number to compare, not ${typeof range.value}`);
    }
    const keys = Object.keys(dataId)
      .filter((k) => joined.has(k))
      .sort();
    const rangeColumns: [string, string] | undefined = range === undefined ? undefined : [range.start, range.end];
    const statement = this.#statement([...new Set(properties)], [...new Set(tables)], keys, rangeColumns);
    const values = keys.map((k) => dataId[k]);
    if (range !== undefined) values.push(range.value);
    return statement.all(...values) as RegistryRow[];
  }

  /** Table (and view) names, sorted. */
  tables(): string[] {
    return [...this.#schema.keys()];
  }

  /** Column names of a table in declaration order (empty for an unknown table). */
  columns(table: string): string[] {
    return [...(this.#schema.get(table)?.columns ?? [])];
  }

  /** Column name → data-id type, from the declared SQL type (empty for an unknown table). */
  columnTypes(table: string): Record<string, ColumnType> {
    return { ...(this.#schema.get(table)?.types ?? {}) };
  }

  /** Closes the database and releases the file lease. Closing twice is a no-op. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
    await this.#file.release();
  }

  #statement(properties: string[], tables: string[], keys: string[], range: [string, string] | undefined): Database.Statement {
    const shape = JSON.stringify([properties, tables, keys, range ?? null]);
    let statement = this.#statements.get(shape);
    if (statement === undefined) {
      const cols = properties.map(quote).join(", ");
      const conditions = keys.map((k) => `${quote(k)} = ?`);
      if (range !== undefined) conditions.push(`? BETWEEN ${quote(range[0])} AND ${quote(range[1])}`);
      const where = conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "";
      const sql = `SELECT DISTINCT ${cols} FROM ${tables.map(quote).join(" NATURAL JOIN ")}${where} ORDER BY ${cols}`;
      statement = this.#db.prepare(sql);
      this.#statements.set(shape, statement);
    }
    return statement;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`registry ${this.path}`);
  }
}

/** Quotes an identifier that was already checked against the schema (defence in depth). */
function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The tables and views of a registry. A view defined with a recursive common table expression can
 * run forever (better-sqlite3 has no way to interrupt a query), so a registry holding one is
 * refused here, before any lookup could hang on it; other views cannot loop (SQLite refuses a view
 * defined through itself).
 * @throws RegistryError naming the recursive view
 */
function readSchema(db: Database.Database): Map<string, TableSchema> {
  const views = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'view'").all() as Array<{ name: string; sql: string | null }>;
  const recursive = views.find((v) => /\bWITH\s+RECURSIVE\b/i.test(v.sql ?? ""));
  if (recursive !== undefined) {
    throw new RegistryError(`the registry's view "${recursive.name}" is recursive (WITH RECURSIVE), which can make a lookup run forever; a registry holds tables and plain views only`);
  }
  const names = db
    .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const schema = new Map<string, TableSchema>();
  for (const name of names) {
    const info = db.prepare(`PRAGMA table_info(${quote(name)})`).all() as Array<{ name: string; type: string }>;
    const types: Record<string, ColumnType> = {};
    for (const column of info) types[column.name] = columnType(column.type);
    schema.set(name, { columns: info.map((c) => c.name), types });
  }
  return schema;
}

/** sqlite's affinity rules (https://sqlite.org/datatype3.html §3.1), mapped to data-id types. */
function columnType(declared: string): ColumnType {
  const t = declared.toUpperCase();
  if (t.includes("INT")) return "int";
  if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "str";
  if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "float";
  return "str";
}

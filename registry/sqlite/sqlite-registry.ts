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
import { checkLookup, lookupSql, quoteIdentifier as quote, shapeKey, type LookupShape, type TableSchema } from "../table-query.js";

/** Answers kept per open registry (least recently used dropped first). */
const ANSWER_CACHE_SIZE = 4096;

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
  // The file is opened read-only and never changes while open, so an answer can be reused: a
  // pipeline asks the same missing key (the filter of a visit) once per ccd.
  readonly #answers = new Map<string, RegistryRow[]>();
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
    const { shape, values } = checkLookup(this.#schema, this.path, properties, tables, dataId, options);
    const key = `${shapeKey(shape)}\n${JSON.stringify(values)}`;
    let rows = this.#answers.get(key);
    if (rows === undefined) {
      rows = this.#statement(shape).all(...values) as RegistryRow[];
      if (this.#answers.size >= ANSWER_CACHE_SIZE) this.#answers.delete(this.#answers.keys().next().value!);
      for (const row of rows) Object.freeze(row);
      this.#answers.set(key, rows);
    } else {
      // least recently used goes first: move this one to the end
      this.#answers.delete(key);
      this.#answers.set(key, rows);
    }
    return rows.slice();
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
    this.#answers.clear();
    this.#db.close();
    await this.#file.release();
  }

  #statement(shape: LookupShape): Database.Statement {
    const key = shapeKey(shape);
    let statement = this.#statements.get(key);
    if (statement === undefined) {
      statement = this.#db.prepare(lookupSql(shape, () => "?"));
      this.#statements.set(key, statement);
    }
    return statement;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`registry ${this.path}`);
  }
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
    for (const column of info) types[column.name] = sqliteColumnType(column.type);
    schema.set(name, { columns: info.map((c) => c.name), types });
  }
  return schema;
}

/** sqlite's affinity rules (https://sqlite.org/datatype3.html §3.1), mapped to data-id types. */
export function sqliteColumnType(declared: string): ColumnType {
  const t = declared.toUpperCase();
  if (t.includes("INT")) return "int";
  if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "str";
  if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "float";
  return "str";
}

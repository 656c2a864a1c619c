/**
 * Adds rows to a Gen2-layout registry one file at a time (an ingest), where
 * {@link buildRegistry} writes a whole one: the per-file table and its per-visit table are created
 * on the first row with the same layout, a row already registered with the same values is left
 * alone, and one registered with other values is refused — so ingesting the same files again
 * changes nothing.
 *
 * @packageDocumentation
 */
import Database from "better-sqlite3";
import { RegistryError } from "../../src/errors.js";
import {
  checkIdentifier,
  createTable,
  defaultUnique,
  defaultVisitColumns,
  insertStatement,
  sqlTypeOf,
  type RegistryInputRow,
} from "../registry-tables.js";

/** The layout rows are added in (a camera's ingest rules). */
export interface RegistryWriterOptions {
  /** The per-file table, e.g. `raw`. */
  table: string;
  /** Columns that name one row; default `visit` and `ccd`, those present. */
  unique?: readonly string[];
  /** Also keep `<table>_visit`, one row per visit (default true). */
  visitTable?: boolean;
  /** Its columns besides `visit`; default every column but the per-detector ones. */
  visitColumns?: readonly string[];
}

/** What adding a row did: a new row, or one registered already with the same values. */
export type RowOutcome = "added" | "unchanged";

/** What adding a row would do to each table. */
interface RowPlan {
  file: { table: string; columns: string[]; exists: boolean; present: boolean; unique: string[] };
  visit?: { table: string; columns: string[]; exists: boolean; present: boolean };
}

/**
 * A registry file opened for adding rows.
 *
 * ```ts
 * const writer = RegistryWriter.open("repo/registry.sqlite3", { table: "raw" });
 * writer.add({ visit: 1, ccd: 0, filter: "g" }, () => renameSync(temp, dest)); // row and file together
 * writer.close();
 * ```
 */
export class RegistryWriter {
  readonly #db: Database.Database;
  readonly #options: RegistryWriterOptions;

  private constructor(db: Database.Database, options: RegistryWriterOptions) {
    this.#db = db;
    this.#options = options;
  }

  /**
   * Opens (or creates) a registry file for writing.
   * @throws RegistryError for a bad table name or a file that is not a sqlite database
   */
  static open(path: string, options: RegistryWriterOptions): RegistryWriter {
    checkIdentifier(options.table, "table");
    try {
      // another ingest may hold the write lock for a moment: wait rather than fail
      return new RegistryWriter(new Database(path, { timeout: 15_000 }), options);
    } catch (err) {
      throw new RegistryError(`cannot open the registry to add rows: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * What {@link RegistryWriter.add} would do, without writing: a conflict is raised here, before
   * the caller stores the file that the row describes.
   * @throws RegistryError when the row conflicts with a registered one or does not fit the tables
   */
  check(row: RegistryInputRow): RowOutcome {
    const plan = this.#plan(row);
    return plan.file.present && (plan.visit?.present ?? true) ? "unchanged" : "added";
  }

  /**
   * Adds the row (and its visit's row) in one transaction, running `publish` inside it — a rename
   * that makes the file appear — so that the file and its row appear together or not at all.
   * @throws RegistryError when the row conflicts with a registered one or does not fit the tables;
   *   what `publish` throws (then nothing is added)
   */
  add(row: RegistryInputRow, publish?: () => void): RowOutcome {
    try {
      return this.#db.transaction((): RowOutcome => {
        const plan = this.#plan(row);
        const types = new Map(Object.entries(row).map(([c, v]) => [c, sqlTypeOf([v])]));
        const { file, visit } = plan;
        if (!file.exists) createTable(this.#db, file.table, file.columns, types, file.unique);
        if (!file.present) insertStatement(this.#db, file.table, file.columns).run(...file.columns.map((c) => row[c]));
        if (visit !== undefined) {
          if (!visit.exists) createTable(this.#db, visit.table, visit.columns, types, ["visit"]);
          if (!visit.present) insertStatement(this.#db, visit.table, visit.columns).run(...visit.columns.map((c) => row[c]));
        }
        publish?.();
        return file.present && (visit?.present ?? true) ? "unchanged" : "added";
      })();
    } catch (err) {
      // what publish threw (a failed rename) goes up as it is; the database's own failures are typed
      if (!(err instanceof Database.SqliteError)) throw err;
      throw new RegistryError(`cannot add the row to the registry: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Closes the database. Idempotent. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #plan(row: RegistryInputRow): RowPlan {
    const { table } = this.#options;
    const columns = Object.keys(row);
    for (const c of columns) checkIdentifier(c, "column");
    const existing = this.#columnsOf(table);
    // an existing table's columns decide the default, so a row that lacks one cannot match another
    const unique = [...(this.#options.unique ?? defaultUnique(existing ?? columns))];
    if (unique.length === 0) throw new RegistryError(`rows of registry table "${table}" need the columns that name one (e.g. visit, ccd); this row has ${columns.join(", ")}`);
    for (const c of unique) if (row[c] === undefined) throw new RegistryError(`the row lacks "${c}", which names a row of registry table "${table}"`);
    if (existing !== undefined) {
      const missing = columns.find((c) => !existing.includes(c));
      if (missing !== undefined) throw new RegistryError(`registry table "${table}" has no column "${missing}" (it has ${existing.join(", ")}); rebuild it with \`skybutler registry build\``);
    }
    const file = { table, columns, exists: existing !== undefined, present: existing !== undefined && this.#matches(table, row, unique, columns), unique };
    if (this.#options.visitTable === false) return { file };
    if (row.visit === undefined) throw new RegistryError(`the row has no "visit", which registry table "${table}_visit" needs`);
    const visitTable = `${table}_visit`;
    const visitColumns = this.#options.visitColumns === undefined ? defaultVisitColumns(columns) : ["visit", ...this.#options.visitColumns.filter((c) => c !== "visit")];
    const visitExisting = this.#columnsOf(visitTable);
    const kept = visitColumns.filter((c) => row[c] !== undefined && (visitExisting === undefined || visitExisting.includes(c)));
    const visitPresent = visitExisting !== undefined && this.#matches(visitTable, row, ["visit"], kept);
    return { file, visit: { table: visitTable, columns: kept, exists: visitExisting !== undefined, present: visitPresent } };
  }

  /** Whether the row named by `unique` is registered; throws when it is, with other values. */
  #matches(table: string, row: RegistryInputRow, unique: readonly string[], compared: readonly string[]): boolean {
    const where = unique.map((c) => `"${c}" = ?`).join(" AND ");
    const stored = this.#db.prepare(`SELECT * FROM "${table}" WHERE ${where}`).get(...unique.map((c) => row[c])) as Record<string, unknown> | undefined;
    if (stored === undefined) return false;
    const differs = compared.find((c) => String(stored[c]) !== String(row[c]));
    if (differs !== undefined) {
      const id = unique.map((c) => `${c}=${row[c]}`).join(" ");
      throw new RegistryError(
        `${id} is registered in "${table}" with ${differs} ${JSON.stringify(stored[differs])}, not ${JSON.stringify(row[differs])}; ` +
          `fix the file's header, or rebuild the registry with \`skybutler registry build\``,
      );
    }
    return true;
  }

  #columnsOf(table: string): string[] | undefined {
    const info = this.#db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>;
    return info.length === 0 ? undefined : info.map((c) => c.name);
  }
}

/**
 * The key → module-data index of a {@link StorageModule}, in sqlite (better-sqlite3, WAL, so several
 * processes share it). One file per module NAME; roots (`NAME://root`) are namespaces in it.
 * better-sqlite3 is synchronous: no transaction here spans an await.
 *
 * @packageDocumentation
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../../errors.js";
import { processAlive } from "../../temp/index.js";

/** One indexed object. */
export interface IndexRow {
  key: string;
  data: string;
  size: number;
  modified: number;
  etag: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS roots (root TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS objects (
  root TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL,
  size INTEGER NOT NULL, modified INTEGER NOT NULL, etag TEXT NOT NULL,
  PRIMARY KEY (root, key)
) WITHOUT ROWID;
-- module data being written: removed on commit; what a dead process left is deleted on open
CREATE TABLE IF NOT EXISTS pending (data TEXT PRIMARY KEY, pid INTEGER NOT NULL, started INTEGER NOT NULL);
`;

/** Keys of one page of a listing. */
const PAGE = 1000;

/** The index file of one module. */
export class ModuleIndex {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, string], IndexRow>;
  readonly #page: Database.Statement<[string, string, string], { key: string }>;
  readonly #upsert: Database.Statement<[string, string, string, number, number, string]>;
  readonly #remove: Database.Statement<[string, string]>;

  /**
   * Opens (creating) the index at `path`.
   * @throws ConfigError naming the module and the file when sqlite cannot open it
   */
  constructor(readonly path: string, module: string) {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      this.#db = new Database(path);
      this.#db.pragma("journal_mode = WAL");
      this.#db.pragma("busy_timeout = 10000");
      this.#db.exec(SCHEMA);
    } catch (err) {
      throw new ConfigError(`cannot open the index of storage module "${module}" at ${path}: ${(err as Error).message}; set args.index to a writable path`, { cause: err });
    }
    this.#get = this.#db.prepare("SELECT key, data, size, modified, etag FROM objects WHERE root = ? AND key = ?");
    this.#page = this.#db.prepare("SELECT key FROM objects WHERE root = ? AND key >= ? AND key > ? ORDER BY key LIMIT " + PAGE);
    this.#upsert = this.#db.prepare("INSERT OR REPLACE INTO objects (root, key, data, size, modified, etag) VALUES (?, ?, ?, ?, ?, ?)");
    this.#remove = this.#db.prepare("DELETE FROM objects WHERE root = ? AND key = ?");
  }

  /** Whether the root was created (a module storage opened without `create` needs it). */
  hasRoot(root: string): boolean {
    return this.#db.prepare("SELECT 1 FROM roots WHERE root = ?").get(root) !== undefined;
  }

  /** Records the root. */
  addRoot(root: string): void {
    this.#db.prepare("INSERT OR IGNORE INTO roots (root) VALUES (?)").run(root);
  }

  /** The row of a key, or undefined. */
  get(root: string, key: string): IndexRow | undefined {
    return this.#get.get(root, key);
  }

  /**
   * Up to one page of keys `>= from` and `> after`, in byte order (sqlite's BINARY collation
   * compares UTF-8 bytes).
   */
  page(root: string, from: string, after: string): string[] {
    return this.#page.all(root, from, after).map((r) => r.key);
  }

  /**
   * Publishes `row` at its key in one transaction: with `ifAbsent` only when the key is free.
   * @returns the module data it replaced (to delete), `null` when the key was free, `false` when ifAbsent found it taken
   */
  publish(root: string, row: IndexRow, ifAbsent: boolean): string | null | false {
    return this.#db.transaction((): string | null | false => {
      const old = this.#get.get(root, row.key);
      if (old !== undefined && ifAbsent) return false;
      this.#upsert.run(root, row.key, row.data, row.size, row.modified, row.etag);
      this.#db.prepare("DELETE FROM pending WHERE data = ?").run(row.data);
      return old === undefined ? null : old.data;
    }).immediate();
  }

  /** Removes a key. @returns its row, or undefined when there was none */
  remove(root: string, key: string): IndexRow | undefined {
    return this.#db.transaction(() => {
      const old = this.#get.get(root, key);
      if (old !== undefined) this.#remove.run(root, key);
      return old;
    }).immediate();
  }

  /** Puts a removed row back unless the key was written meanwhile (a delete the module refused). */
  restore(root: string, row: IndexRow): void {
    this.#db.prepare("INSERT OR IGNORE INTO objects (root, key, data, size, modified, etag) VALUES (?, ?, ?, ?, ?, ?)").run(root, row.key, row.data, row.size, row.modified, row.etag);
  }

  /** Notes module data being written by this process. */
  beginPending(data: string): void {
    this.#db.prepare("INSERT OR REPLACE INTO pending (data, pid, started) VALUES (?, ?, ?)").run(data, process.pid, Date.now());
  }

  /** Forgets pending module data (written and published, or deleted). */
  endPending(data: string): void {
    this.#db.prepare("DELETE FROM pending WHERE data = ?").run(data);
  }

  /** Pending module data of processes that no longer run (left by a crash). */
  abandoned(): string[] {
    const rows = this.#db.prepare("SELECT data, pid FROM pending").all() as Array<{ data: string; pid: number }>;
    return rows.filter((r) => r.pid !== process.pid && !processAlive(r.pid)).map((r) => r.data);
  }

  /** Objects and bytes below a root. */
  count(root: string): { objects: number; bytes: number } {
    const r = this.#db.prepare("SELECT count(*) AS objects, coalesce(sum(size), 0) AS bytes FROM objects WHERE root = ?").get(root) as { objects: number; bytes: number };
    return { objects: r.objects, bytes: r.bytes };
  }

  close(): void {
    this.#db.close();
  }
}


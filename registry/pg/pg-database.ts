/**
 * One PostgreSQL database as a repository uses it: a `pg` pool made from a {@link PgConfig}, the
 * password asked for only when the server wants one, named (prepared) statements, and errors
 * translated into skybutler's classes with messages that never hold a password.
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { ClosedError, ConfigError, RegistryError } from "../../src/errors.js";
import { resolvePassword, tlsOptions, type PasswordSources, type PgConfig } from "./pg-config.js";

/** A row as `pg` returns it. */
export type PgRow = Record<string, unknown>;

/** A client checked out for a transaction. */
export interface PgTransaction {
  /** Runs one statement inside the transaction. @throws RegistryError */
  query<R extends PgRow = PgRow>(text: string, values?: readonly unknown[]): Promise<R[]>;
}

// bigint (int8) and numeric come back as strings by default: registries hold safe integers
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/**
 * A pooled connection to a repository's database. Shared by its registries and record store;
 * whoever opened it closes it.
 *
 * ```ts
 * const db = PgDatabase.connect(parsePgConfig(yamlText));
 * const rows = await db.query("SELECT 1 AS one");
 * await db.close();
 * ```
 */
export class PgDatabase {
  readonly #pool: pg.Pool;
  readonly #where: string;
  #closed = false;

  private constructor(pool: pg.Pool, where: string) {
    this.#pool = pool;
    this.#where = where;
    // an idle client whose server went away must not crash the process
    pool.on("error", () => undefined);
  }

  /**
   * Makes the pool (no connection yet: the first query connects).
   * @param sources - where the password may come from (see {@link resolvePassword})
   * @throws ConfigError when a TLS file cannot be read or a key file is not private
   */
  static connect(config: PgConfig, sources: PasswordSources = {}): PgDatabase {
    const where = `PostgreSQL ${config.user}@${config.host}:${config.port}/${config.database}`;
    const ssl = tlsOptions(config);
    const pool = new pg.Pool({
      host: config.host,
      port: config.port,
      database: config.database,
      user: config.user,
      // asked only when the server wants a password, so trust/peer setups need none
      password: async () => {
        const password = resolvePassword(config, sources);
        if (password === undefined) {
          throw new ConfigError(`${where} asks for a password: set PGPASSWORD, add it to ~/.pgpass, or name a "passfile" in registry.pgsql`);
        }
        return password;
      },
      ...(ssl === undefined ? {} : { ssl }),
      max: config.maxConnections ?? 10,
      connectionTimeoutMillis: 30_000,
      idleTimeoutMillis: 10_000,
      application_name: "skybutler",
    });
    return new PgDatabase(pool, where);
  }

  /** `user@host:port/database`, for messages (never the password). */
  get where(): string {
    return this.#where;
  }

  /** Whether {@link PgDatabase.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs one statement. With `name`, the statement is prepared once per connection and reused
   * (`pg` keeps it by name); the name is derived from the text, so equal text shares it.
   * @throws RegistryError (the database's message and SQLSTATE), ConfigError (password, TLS files), ClosedError
   */
  async query<R extends PgRow = PgRow>(text: string, values: readonly unknown[] = [], options: { prepare?: boolean } = {}): Promise<R[]> {
    if (this.#closed) throw new ClosedError(this.#where);
    try {
      const result = await this.#pool.query<R>(options.prepare ? { name: statementName(text), text, values: values as unknown[] } : { text, values: values as unknown[] });
      return result.rows;
    } catch (err) {
      throw this.translate(err);
    }
  }

  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws.
   * @throws whatever `fn` throws; RegistryError for a database failure
   */
  async transaction<T>(fn: (tx: PgTransaction) => Promise<T>): Promise<T> {
    if (this.#closed) throw new ClosedError(this.#where);
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw this.translate(err);
    }
    const tx: PgTransaction = {
      query: async <R extends PgRow = PgRow>(text: string, values: readonly unknown[] = []) => {
        try {
          return (await client.query<R>(text, values as unknown[])).rows;
        } catch (err) {
          throw this.translate(err);
        }
      },
    };
    let failed = false;
    try {
      await tx.query("BEGIN");
      const result = await fn(tx);
      await tx.query("COMMIT");
      return result;
    } catch (err) {
      failed = true;
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release(failed);
    }
  }

  /** A skybutler error for a `pg` or socket error: what failed and what to do, no secret. */
  translate(err: unknown): Error {
    if (err instanceof ConfigError || err instanceof RegistryError || err instanceof ClosedError) return err;
    const e = err as { code?: string; message?: string; detail?: string };
    const code = e.code;
    let why: string;
    if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENOTFOUND" || code === "ETIMEDOUT") why = `cannot reach the server (${code}); is it running and is host/port right in registry.pgsql?`;
    else if (code === "28P01" || code === "28000") why = "authentication failed: check the user and the password (PGPASSWORD, ~/.pgpass or the passfile)";
    else if (code === "3D000") why = "the database does not exist; create it first (createdb)";
    else if (/self[- ]signed|certificate|SSL|TLS/i.test(e.message ?? "") && code === undefined) why = `TLS failed: ${e.message}`;
    else why = `${e.message ?? String(err)}${e.detail ? ` (${e.detail})` : ""}${code ? ` [SQLSTATE ${code}]` : ""}`;
    return new RegistryError(`${this.#where}: ${why}`, { cause: err });
  }

  /** Ends every connection of the pool. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/** A statement name for a text: equal text, equal name, on every connection. */
function statementName(text: string): string {
  return `sb_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
}

/** Whether an error is the database refusing a value of the wrong type for a column (e.g. "g" for an integer). */
export function isBadValueError(err: unknown): boolean {
  const code = ((err as { cause?: { code?: string } }).cause ?? (err as { code?: string })).code;
  return code === "22P02" || code === "22003" || code === "22007" || code === "22008";
}

/** The SQLSTATE behind a translated error, if any. */
export function sqlState(err: unknown): string | undefined {
  return ((err as { cause?: { code?: string } }).cause ?? (err as { code?: string })).code;
}

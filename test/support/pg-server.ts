/**
 * One real PostgreSQL for the whole mocha run, started on first use (Debian's packages, installed
 * by scripts/setup.mjs): `initdb` into a temp directory, `pg_ctl start` on a free port of
 * 127.0.0.1 (and a Unix socket in the data directory), stopped by its PID at the end of the run
 * (`test/support/pg-hooks.ts`, with a process-exit backstop). As root, the server runs as the
 * `postgres` user (PostgreSQL refuses to run as root).
 *
 * TCP connections need the password (SCRAM): the tests give it the ways users do — a passfile
 * named in `registry.pgsql`, or `PGPASSWORD` — so that path is exercised for real. TLS is on,
 * with a self-signed certificate for 127.0.0.1 whose file is {@link PgServer.caFile}.
 *
 * ```ts
 * const pg = await pgServer();
 * const config = await pg.config("my_schema");    // a registry.pgsql document for this server
 * ```
 */
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { formatPgConfig, type PgConfig } from "../../registry/pg/pg-config.js";

const run = promisify(execFile);

/** The database user and database of the test server. */
export const PG_USER = "skybutler";
/** The test database. */
export const PG_DATABASE = "skybutler";

/** What the tests need to reach the running server. */
export interface PgServer {
  host: "127.0.0.1";
  port: number;
  /** The data directory (also the Unix socket directory); outside $SKYBUTLER_TMPDIR. */
  dir: string;
  user: string;
  database: string;
  password: string;
  /** A `host:port:db:user:password` file (mode 600) holding the password. */
  passfile: string;
  /** The server certificate (self-signed): a client verifies TLS with it. */
  caFile: string;
  /** PID of the postmaster. */
  pid: number;
}

let starting: Promise<PgServer> | undefined;
let running: PgServer | undefined;

/** The newest installed PostgreSQL's bin directory. @throws Error when none is installed */
export function pgBinDir(): string {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "initdb"))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new Error("PostgreSQL is not installed (run scripts/setup.mjs --for-tests, which installs Debian's postgresql)");
  return join(base, newest, "bin");
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (await portFree(port)) return port;
  }
  throw new Error("no free port found on 127.0.0.1 for the test PostgreSQL");
}

/** Runs a PostgreSQL tool as the user that owns the cluster (`postgres` when we are root). */
function asOwner(tool: string, args: string[]): [string, string[]] {
  const path = join(pgBinDir(), tool);
  return process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", path, ...args]] : [path, args];
}

function chownToOwner(path: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  chownSync(path, uid, gid);
}

async function start(): Promise<PgServer> {
  const dir = mkdtempSync(join(tmpdir(), "skybutler-pg-"));
  process.once("exit", stopSync);
  const data = join(dir, "data");
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  const pwfile = join(dir, "pwfile");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  chownToOwner(dir);
  chownToOwner(pwfile);
  const [cmd, args] = asOwner("initdb", ["-D", data, "-U", PG_USER, `--pwfile=${pwfile}`, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"]);
  await run(cmd, args, { timeout: 120_000 });
  rmSync(pwfile);
  // a self-signed certificate for 127.0.0.1, so TLS options are tested against a real handshake
  const cert = join(data, "server.crt");
  const key = join(data, "server.key");
  await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert], { timeout: 60_000 });
  chmodSync(key, 0o600);
  chownToOwner(cert);
  chownToOwner(key);
  const caFile = join(dir, "ca.crt");
  writeFileSync(caFile, readFileSync(cert));
  // small and fast: a test server that loses its data on a crash is fine
  const conf = [
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    "max_connections = 200",
    "shared_buffers = 128MB",
    "ssl = on",
    "ssl_cert_file = 'server.crt'",
    "ssl_key_file = 'server.key'",
    `unix_socket_directories = '${data}'`,
  ];
  writeFileSync(join(data, "postgresql.conf"), `${readFileSync(join(data, "postgresql.conf"), "utf8")}\n${conf.join("\n")}\n`);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const [ctl, ctlArgs] = asOwner("pg_ctl", ["start", "-D", data, "-w", "-t", "60", "-l", join(dir, "server.log"), "-o", `-p ${port} -c listen_addresses=127.0.0.1`]);
    try {
      await run(ctl, ctlArgs, { timeout: 90_000 });
      const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
      const passfile = join(dir, "pgpass");
      writeFileSync(passfile, `127.0.0.1:${port}:*:${PG_USER}:${password}\n`, { mode: 0o600 });
      const server: PgServer = { host: "127.0.0.1", port, dir, user: PG_USER, database: "postgres", password, passfile, caFile, pid };
      await psql(server, `CREATE DATABASE ${PG_DATABASE}`);
      server.database = PG_DATABASE;
      running = server;
      return server;
    } catch (err) {
      lastError = err;
      const log = existsSync(join(dir, "server.log")) ? readFileSync(join(dir, "server.log"), "utf8") : "";
      if (!/already in use/.test(log)) break;
    }
  }
  throw new Error(`the test PostgreSQL did not start: ${String((lastError as { stderr?: string }).stderr ?? lastError)}`);
}

/**
 * The running test server, started on the first call (about 2–4 s) and shared by every test.
 * @throws Error when PostgreSQL is not installed or does not start
 */
export function pgServer(): Promise<PgServer> {
  starting ??= start();
  return starting;
}

/** Runs SQL with `psql` over the Unix socket (as the test's superuser). @returns stdout */
export async function psql(server: Pick<PgServer, "dir" | "port">, sql: string, database = "postgres"): Promise<string> {
  const [cmd, args] = asOwner("psql", ["-h", join(server.dir, "data"), "-p", String(server.port), "-U", PG_USER, "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtc", sql]);
  const { stdout } = await run(cmd, args, { timeout: 60_000 });
  return stdout;
}

/** A unique schema name for one test. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Waits for a process to exit (polling: it is not our child when pg_ctl started it). */
async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      process.kill(pid, 0);
      // an exited postmaster whose parent (pg_ctl's, gone) nobody reaps is a zombie: as good as gone
      if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"))) return true;
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function stopSync(): void {
  const server = running;
  running = undefined;
  if (server === undefined) return;
  try {
    process.kill(server.pid, "SIGQUIT"); // immediate shutdown: the process is exiting
  } catch {
    // already gone
  }
  rmSync(server.dir, { recursive: true, force: true });
}

/** Stops the server (immediate shutdown, by its PID) and removes its directory. */
export async function stopPg(): Promise<void> {
  const server = running;
  running = undefined;
  starting = undefined;
  if (server === undefined) return;
  process.off("exit", stopSync);
  try {
    process.kill(server.pid, "SIGQUIT"); // immediate shutdown: a test cluster needs no checkpoint
  } catch {
    // already gone
  }
  if (!(await waitGone(server.pid, 10_000))) {
    try {
      process.kill(server.pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  rmSync(server.dir, { recursive: true, force: true });
}

/** A `registry.pgsql` configuration for the test server (the password from its passfile). */
export function pgConfig(server: PgServer, schema: string, extra: Partial<PgConfig> = {}): PgConfig {
  return { host: server.host, port: server.port, database: server.database, user: server.user, schema, passfile: server.passfile, ...extra };
}

/** The same as YAML text, as a repository holds it. */
export function pgConfigText(server: PgServer, schema: string, extra: Partial<PgConfig> = {}): string {
  return formatPgConfig(pgConfig(server, schema, extra));
}

/** Drops a schema and everything in it (test clean-up). */
export async function dropSchema(server: PgServer, schema: string): Promise<void> {
  await psql(server, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`, server.database);
}

/**
 * `registry.pgsql`: the YAML document in a repository that points at its PostgreSQL database
 * (Gen2's `PgsqlRegistry` keys `host`, `port`, `database`, `user`, plus `schema`). It never holds
 * the password: that comes from `PGPASSWORD`, a passfile named here (outside the repository, not
 * group/world-readable), or `PGPASSFILE` / `~/.pgpass` — libpq's rules.
 *
 * ```yaml
 * host: db.survey.example
 * port: 5432
 * database: survey
 * user: pipeline
 * schema: hsc_rerun          # exposure tables and dataset records (default: public)
 * calibSchema: hsc_calib     # calibration tables, if the repository has them
 * passfile: /home/me/.pgpass-survey
 * ssl: { mode: verify-full, ca: /etc/ssl/survey-db-ca.pem }
 * ```
 *
 * @packageDocumentation
 */
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, relative, resolve } from "node:path";
import type { ConnectionOptions } from "node:tls";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { ConfigError } from "../../src/errors.js";

/** The object key of a repository's PostgreSQL configuration. */
export const PG_CONFIG_KEY = "registry.pgsql";

/** TLS settings, passed through to the connection (file names are read when the pool is made). */
export interface PgTlsConfig {
  /**
   * `require` (encrypt, do not verify), `verify-ca` (the chain), `verify-full` (chain and host
   * name; the default), as libpq's `sslmode`.
   */
  mode?: "require" | "verify-ca" | "verify-full";
  /** CA certificate file(s) to trust. */
  ca?: string;
  /** Client certificate file. */
  cert?: string;
  /** Client key file (must not be group/world-readable). */
  key?: string;
  /** Server name for SNI and the host-name check, when it differs from `host`. */
  servername?: string;
}

/** A parsed `registry.pgsql`. */
export interface PgConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  /** Schema of the exposure tables and the dataset records. */
  schema: string;
  /** Schema of the calibration tables, if any. */
  calibSchema?: string;
  /** A pgpass-format file holding the password (mode 600 or stricter). */
  passfile?: string;
  /** TLS: off (default), on with verification, or detailed. */
  ssl?: boolean | PgTlsConfig;
  /** Largest number of connections of this process's pool (default 10). */
  maxConnections?: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const KNOWN = new Set(["host", "port", "database", "user", "schema", "calibSchema", "passfile", "ssl", "maxConnections"]);
const TLS_KNOWN = new Set(["mode", "ca", "cert", "key", "servername"]);

/**
 * Parses and checks a `registry.pgsql` document.
 * @param source - where it came from (for messages)
 * @throws ConfigError for bad YAML, a missing or malformed key, an unknown key, or a `password`
 *   (passwords never live in a repository)
 */
export function parsePgConfig(text: string, source: string = PG_CONFIG_KEY): PgConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${source} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new ConfigError(`${source} must be a YAML mapping (host, port, database, user, schema)`);
  const raw = doc as Record<string, unknown>;
  if ("password" in raw) {
    throw new ConfigError(`${source} holds a password, which a repository must never store: remove it and use PGPASSWORD, ~/.pgpass or a "passfile" outside the repository`);
  }
  for (const key of Object.keys(raw)) if (!KNOWN.has(key)) throw new ConfigError(`${source}: unknown key "${key}"; known: ${[...KNOWN].join(", ")}`);
  const text_ = (key: string, fallback?: string): string => {
    const value = raw[key] ?? fallback;
    if (typeof value !== "string" || value === "") throw new ConfigError(`${source}: "${key}" must be a non-empty string`);
    return value;
  };
  const port = raw.port ?? 5432;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`${source}: "port" must be an integer from 1 to 65535`);
  const config: PgConfig = { host: text_("host"), port, database: text_("database"), user: text_("user"), schema: text_("schema", "public") };
  for (const key of ["schema", "calibSchema"] as const) {
    const value = key === "schema" ? config.schema : raw.calibSchema;
    if (value === undefined) continue;
    if (typeof value !== "string" || !IDENTIFIER.test(value)) throw new ConfigError(`${source}: "${key}" must be a PostgreSQL identifier (letters, digits, _; at most 63)`);
  }
  if (raw.calibSchema !== undefined) config.calibSchema = raw.calibSchema as string;
  if (raw.passfile !== undefined) {
    const passfile = text_("passfile");
    if (!isAbsolute(passfile) && !passfile.startsWith("~/")) throw new ConfigError(`${source}: "passfile" must be an absolute path (or start with ~/)`);
    config.passfile = passfile;
  }
  if (raw.maxConnections !== undefined) {
    const n = raw.maxConnections;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 1000) throw new ConfigError(`${source}: "maxConnections" must be an integer from 1 to 1000`);
    config.maxConnections = n;
  }
  if (raw.ssl !== undefined) config.ssl = parseTls(raw.ssl, source);
  return config;
}

function parseTls(value: unknown, source: string): boolean | PgTlsConfig {
  if (typeof value === "boolean") return value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new ConfigError(`${source}: "ssl" must be true, false or a mapping (mode, ca, cert, key, servername)`);
  const tls: PgTlsConfig = {};
  for (const [key, v] of Object.entries(value)) {
    if (!TLS_KNOWN.has(key)) throw new ConfigError(`${source}: unknown ssl key "${key}"; known: ${[...TLS_KNOWN].join(", ")}`);
    if (typeof v !== "string" || v === "") throw new ConfigError(`${source}: ssl "${key}" must be a non-empty string`);
  }
  const t = value as Record<string, string>;
  if (t.mode !== undefined) {
    if (t.mode !== "require" && t.mode !== "verify-ca" && t.mode !== "verify-full") throw new ConfigError(`${source}: ssl mode must be require, verify-ca or verify-full`);
    tls.mode = t.mode;
  }
  for (const key of ["ca", "cert", "key", "servername"] as const) if (t[key] !== undefined) tls[key] = t[key];
  return tls;
}

/** The YAML text of a configuration (what `registry migrate` writes). */
export function formatPgConfig(config: PgConfig): string {
  const { host, port, database, user, schema, ...rest } = config;
  return `# the PostgreSQL database of this repository; the password is never stored here\n${stringifyYaml({ host, port, database, user, schema, ...rest })}`;
}

/**
 * Reads a configuration from a `postgresql://user@host:port/database?schema=s&calibSchema=c&sslmode=…`
 * URL (what `registry migrate --to` takes).
 * @throws ConfigError for another scheme, a password in the URL (it would be recorded), or a bad value
 */
export function pgConfigFromUrl(url: string): PgConfig {
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw new ConfigError(`not a URL: ${JSON.stringify(url)}; expected postgresql://user@host:port/database?schema=NAME`, { cause: err });
  }
  if (u.protocol !== "postgresql:" && u.protocol !== "postgres:") throw new ConfigError(`expected a postgresql:// URL, not ${u.protocol}//`);
  if (u.password !== "") throw new ConfigError("the URL holds a password, which would be recorded in the repository: drop it and set PGPASSWORD or use ~/.pgpass");
  const doc: Record<string, unknown> = {
    host: decodeURIComponent(u.hostname.replace(/^\[|\]$/g, "")),
    port: u.port === "" ? 5432 : Number(u.port),
    database: decodeURIComponent(u.pathname.replace(/^\//, "")),
    user: decodeURIComponent(u.username),
  };
  for (const [key, value] of u.searchParams) {
    if (key === "sslmode") doc.ssl = value === "disable" ? false : { mode: value };
    else if (key === "sslrootcert") doc.ssl = { ...(typeof doc.ssl === "object" ? doc.ssl : {}), ca: value };
    else doc[key] = /^\d+$/.test(value) && key === "maxConnections" ? Number(value) : value;
  }
  return parsePgConfig(stringifyYaml(doc), "the URL");
}

/** Expands `~/` to the home directory. */
function expandHome(path: string): string {
  return path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : path;
}

/** Refuses a secret file that others may read (as libpq does for `.pgpass` and keys). @throws ConfigError */
function checkPrivate(path: string, what: string): void {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    throw new ConfigError(`${what} ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  if ((mode & 0o077) !== 0) throw new ConfigError(`${what} ${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
}

/** One field of a pgpass line: `*` matches anything; `\:` and `\\` are escapes. */
function pgpassFields(line: string): string[] {
  const fields: string[] = [];
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "\\" && i + 1 < line.length) current += line[++i]!;
    else if (c === ":" && fields.length < 4) {
      fields.push(current);
      current = "";
    } else current += c;
  }
  fields.push(current);
  return fields;
}

/** The password of the first matching `host:port:database:user:password` line, if any. */
function lookupPgpass(text: string, config: PgConfig): string | undefined {
  const want = [config.host, String(config.port), config.database, config.user];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const fields = pgpassFields(line);
    if (fields.length !== 5) continue;
    if (want.every((w, i) => fields[i] === "*" || fields[i] === w)) return fields[4];
  }
  return undefined;
}

/** Where a password may come from, checked in this order. */
export interface PasswordSources {
  /** The environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** A local repository's root directory: a passfile below it is refused. */
  repositoryDir?: string;
}

/**
 * The password for a configuration: `PGPASSWORD`, else the `passfile` it names, else
 * `PGPASSFILE` or `~/.pgpass`; undefined when none has one (the server may not ask).
 * @throws ConfigError when a passfile is group/world-readable, unreadable, or inside the repository
 */
export function resolvePassword(config: PgConfig, sources: PasswordSources = {}): string | undefined {
  const env = sources.env ?? process.env;
  if (env.PGPASSWORD !== undefined && env.PGPASSWORD !== "") return env.PGPASSWORD;
  if (config.passfile !== undefined) {
    const path = expandHome(config.passfile);
    if (sources.repositoryDir !== undefined) {
      const rel = relative(resolve(sources.repositoryDir), resolve(path));
      if (!rel.startsWith("..") && !isAbsolute(rel)) throw new ConfigError(`the passfile ${path} is inside the repository; keep passwords out of repositories`);
    }
    checkPrivate(path, "the passfile");
    const found = lookupPgpass(readFileSync(path, "utf8"), config);
    if (found !== undefined) return found;
  }
  const fallback = env.PGPASSFILE ?? resolve(homedir(), ".pgpass");
  let exists = true;
  try {
    statSync(fallback);
  } catch {
    exists = false;
  }
  if (!exists) return undefined;
  checkPrivate(fallback, env.PGPASSFILE !== undefined ? "PGPASSFILE" : "~/.pgpass");
  return lookupPgpass(readFileSync(fallback, "utf8"), config);
}

/**
 * The `tls.connect` options of a configuration (undefined: no TLS): files read, modes mapped.
 * @throws ConfigError when a named file cannot be read or the key file is not private
 */
export function tlsOptions(config: PgConfig): ConnectionOptions | undefined {
  const ssl = config.ssl;
  if (ssl === undefined || ssl === false) return undefined;
  if (ssl === true) return { rejectUnauthorized: true };
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(expandHome(path));
    } catch (err) {
      throw new ConfigError(`the TLS ${what} file ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
  };
  const mode = ssl.mode ?? "verify-full";
  const options: ConnectionOptions = { rejectUnauthorized: mode !== "require" };
  if (mode === "verify-ca") options.checkServerIdentity = () => undefined;
  if (ssl.ca !== undefined) options.ca = read(ssl.ca, "CA");
  if (ssl.cert !== undefined) options.cert = read(ssl.cert, "certificate");
  if (ssl.key !== undefined) {
    checkPrivate(expandHome(ssl.key), "the TLS key");
    options.key = read(ssl.key, "key");
  }
  if (ssl.servername !== undefined) options.servername = ssl.servername;
  return options;
}

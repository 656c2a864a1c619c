/**
 * The server's tokens: a file of `TOKEN SCOPE` lines, each scope one of `read`, `write`, `admin`
 * (each implies the ones before it). The file must not be readable by group or others, as ssh
 * insists for its keys; tokens are compared in constant time and never logged.
 *
 * @packageDocumentation
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { ConfigError } from "../errors.js";

/** What a token may do; each scope implies the ones before it. */
export type Scope = "read" | "write" | "admin";

/** The scopes in order of power. */
export const SCOPES: readonly Scope[] = ["read", "write", "admin"];

/** Whether a token with scope `held` may do what needs `needed`. */
export function scopeAllows(held: Scope, needed: Scope): boolean {
  return SCOPES.indexOf(held) >= SCOPES.indexOf(needed);
}

/** Shortest token accepted: a guessable token is no protection. */
export const MIN_TOKEN_LENGTH = 16;

const digest = (token: string): Buffer => createHash("sha256").update(token, "utf8").digest();

/**
 * The tokens of a server, kept as SHA-256 digests: a lookup compares the digest of the presented
 * token with every entry in constant time (`timingSafeEqual`, no early exit), so response times
 * say nothing about how much of a token was right.
 *
 * ```ts
 * const tokens = await TokenTable.load("/etc/skybutler/tokens");
 * tokens.scopeOf(presented);   // "write", or undefined for an unknown token
 * ```
 */
export class TokenTable {
  readonly #entries: ReadonlyArray<{ digest: Buffer; scope: Scope }>;

  /** @param entries - token and scope pairs */
  constructor(entries: ReadonlyArray<{ token: string; scope: Scope }>) {
    this.#entries = entries.map((e) => ({ digest: digest(e.token), scope: e.scope }));
  }

  /** Number of tokens. */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * Reads a token file: one `TOKEN SCOPE` pair per line, `#` starts a comment, blank lines are
   * ignored.
   * @throws ConfigError when the file is missing, readable by group or others, or malformed
   *   (naming the line, never the token)
   */
  static async load(path: string): Promise<TokenTable> {
    let mode: number;
    let text: string;
    try {
      mode = (await stat(path)).mode;
      text = await readFile(path, "utf8");
    } catch (err) {
      throw new ConfigError(`cannot read the token file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
    if ((mode & 0o077) !== 0) {
      throw new ConfigError(`the token file ${path} is readable or writable by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}`);
    }
    return new TokenTable(parseTokenLines(text, path));
  }

  /** The scope of a presented token, or undefined when no entry matches. */
  scopeOf(token: string): Scope | undefined {
    const presented = digest(token);
    let found: Scope | undefined;
    for (const entry of this.#entries) {
      // every entry is compared, whether or not one matched already
      if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.scope;
    }
    return found;
  }
}

/**
 * The pairs of a token file's text.
 * @throws ConfigError for a malformed line (its number, never its content)
 */
export function parseTokenLines(text: string, path: string): Array<{ token: string; scope: Scope }> {
  const out: Array<{ token: string; scope: Scope }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    const fields = line.split(/\s+/);
    const [token, scope] = fields;
    if (fields.length !== 2 || token === undefined || !SCOPES.includes(scope as Scope)) {
      throw new ConfigError(`${path} line ${i + 1}: expected "TOKEN SCOPE" with SCOPE one of ${SCOPES.join(", ")}`);
    }
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new ConfigError(`${path} line ${i + 1}: the token is shorter than ${MIN_TOKEN_LENGTH} characters; use e.g. \`openssl rand -hex 24\``);
    }
    out.push({ token, scope: scope as Scope });
  });
  return out;
}

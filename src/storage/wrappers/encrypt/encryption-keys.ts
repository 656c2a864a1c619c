/**
 * The keys of `skybutler:encrypt`: the current one (new objects) and previous ones (still read, so
 * keys can rotate), each from a key file or an environment variable, each with an id stored in
 * every object's header. Key bytes never appear in a message.
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "../../../errors.js";
import { resolveFrom } from "../../modules/module-schemes.js";

/** An AES-256 key and its id. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** Where one key comes from (an element of `args.previousKeys`, or the top-level args). */
interface KeySource {
  keyFile?: unknown;
  keyEnv?: unknown;
  keyId?: unknown;
}

/** 32 bytes from 64 hex digits, base64 of 32 bytes, or 32 raw bytes. */
function keyBytes(raw: Buffer): Buffer | undefined {
  const text = raw.toString("latin1").trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) return Buffer.from(text, "base64");
  return raw.length === 32 ? raw : undefined;
}

function loadKey(source: KeySource, module: string, file: string, env: NodeJS.ProcessEnv, what: string): EncryptionKey {
  let raw: Buffer;
  let from: string;
  if (typeof source.keyFile === "string") {
    from = `key file ${source.keyFile}`;
    try {
      raw = readFileSync(resolveFrom(file, source.keyFile));
    } catch (err) {
      throw new ConfigError(`storage module "${module}": cannot read the ${what} from its ${from}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else if (typeof source.keyEnv === "string") {
    from = `environment variable ${source.keyEnv}`;
    const value = env[source.keyEnv];
    if (value === undefined || value === "") throw new ConfigError(`storage module "${module}": the ${what}'s ${from} is not set`);
    raw = Buffer.from(value, "latin1");
  } else {
    throw new ConfigError(`storage module "${module}" needs the ${what} as keyFile (a path) or keyEnv (a variable name)`);
  }
  const key = keyBytes(raw);
  if (key === undefined) throw new ConfigError(`storage module "${module}": the ${what} (${from}) must be 32 bytes: 64 hex digits, base64, or raw`);
  const id = typeof source.keyId === "string" && source.keyId !== "" ? source.keyId : createHash("sha256").update("skybutler key id\0").update(key).digest("hex").slice(0, 16);
  if (Buffer.byteLength(id) > 64 || !/^[\x21-\x7e]+$/.test(id)) throw new ConfigError(`storage module "${module}": keyId must be 1–64 printable ASCII characters`);
  return { id, key };
}

/**
 * The keys from a module's args: `keyFile`/`keyEnv` (and optional `keyId`) for the current key,
 * `previousKeys: [{keyFile|keyEnv, keyId?}]` for keys still read.
 * @throws ConfigError naming the module (never the key)
 */
export function loadKeys(args: Readonly<Record<string, unknown>>, module: string, file: string, env: NodeJS.ProcessEnv = process.env): { current: EncryptionKey; byId: Map<string, EncryptionKey> } {
  const current = loadKey(args, module, file, env, "key");
  const byId = new Map([[current.id, current]]);
  const previous = args.previousKeys ?? [];
  if (!Array.isArray(previous)) throw new ConfigError(`storage module "${module}": previousKeys must be a list of {keyFile|keyEnv, keyId?}`);
  for (const [i, source] of previous.entries()) {
    const key = loadKey((source ?? {}) as KeySource, module, file, env, `previous key #${i + 1}`);
    if (!byId.has(key.id)) byId.set(key.id, key);
  }
  return { current, byId };
}

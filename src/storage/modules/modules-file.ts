/**
 * `storage-modules.yaml`: NAME → `{module, description?, args?}`. Read on demand (re-read when it
 * changes), written atomically under a lock file so that a CLI and a server can both edit it.
 *
 * ```yaml
 * secure:
 *   module: skybutler:encrypt
 *   description: encrypted copies on Swift
 *   args: {keyFile: /etc/skybutler/key, over: "swift://"}
 * vendor:
 *   module: ./vendor/directory-module.js#DirectoryModule
 *   args: {dir: /srv/vendor}
 * ```
 *
 * @packageDocumentation
 */
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { parse, stringify } from "yaml";
import { ConfigError } from "../../errors.js";
import { withFileLock } from "../file-lock.js";
import { registeredSchemes } from "../schemes.js";

/** One configured module. */
export interface StorageModuleEntry {
  /** `package#Export`, `./file.js#Export` (relative to the YAML file) or `skybutler:<wrapper>`. */
  module: string;
  description?: string;
  /** Passed to the module's constructor (or to its factory as `options.module.args`). */
  args?: Record<string, unknown>;
}

/** The whole file: NAME → entry. */
export type StorageModulesConfig = Record<string, StorageModuleEntry>;

/** Where {@link storageModulesPath} looks. */
export interface ModulesPathOptions {
  /** Environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The YAML file's path: `$SKYBUTLER_STORAGE_MODULES`, else
 * `$XDG_CONFIG_HOME/skybutler/storage-modules.yaml` (`~/.config` when XDG_CONFIG_HOME is unset).
 */
export function storageModulesPath(options: ModulesPathOptions = {}): string {
  const env = options.env ?? process.env;
  if (env.SKYBUTLER_STORAGE_MODULES) return env.SKYBUTLER_STORAGE_MODULES;
  const config = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(config, "skybutler", "storage-modules.yaml");
}

/** `$XDG_STATE_HOME/skybutler` (`~/.local/state` when unset): module indexes live below it. */
export function skybutlerStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "skybutler");
}

/** `$XDG_CACHE_HOME/skybutler` (`~/.cache` when unset): the cache wrapper's default directory. */
export function skybutlerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "skybutler");
}

/** At least two characters: `c://x` would read as a Windows drive path. */
const NAME = /^[a-z][a-z0-9+.-]+$/;

/**
 * Checks one entry; `name` and `file` are for the messages.
 * @throws ConfigError saying what is wrong
 */
export function validateModuleEntry(name: string, entry: unknown, file = "storage-modules.yaml"): StorageModuleEntry {
  if (!NAME.test(name)) {
    throw new ConfigError(`storage module name "${name}" in ${file} is not usable as a URI scheme: use two or more lower-case letters, digits, "+", "-" and "." (starting with a letter)`);
  }
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
    throw new ConfigError(`storage module "${name}" in ${file} must be a mapping with "module" (and optional "description", "args")`);
  }
  const e = entry as Record<string, unknown>;
  if (typeof e.module !== "string" || e.module.trim() === "") {
    throw new ConfigError(`storage module "${name}" in ${file} needs "module": "package#Export", "./file.js#Export" or "skybutler:<wrapper>"`);
  }
  if (e.description !== undefined && typeof e.description !== "string") throw new ConfigError(`"description" of storage module "${name}" in ${file} must be a string`);
  if (e.args !== undefined && (e.args === null || typeof e.args !== "object" || Array.isArray(e.args))) {
    throw new ConfigError(`"args" of storage module "${name}" in ${file} must be a mapping`);
  }
  const unknown = Object.keys(e).filter((k) => !["module", "description", "args"].includes(k));
  if (unknown.length > 0) throw new ConfigError(`storage module "${name}" in ${file} has unknown field(s) ${unknown.join(", ")}; allowed: module, description, args`);
  return {
    module: e.module,
    ...(e.description === undefined ? {} : { description: e.description as string }),
    ...(e.args === undefined ? {} : { args: e.args as Record<string, unknown> }),
  };
}

let cached: { path: string; mtimeMs: number; size: number; config: StorageModulesConfig } | undefined;

/**
 * The configured modules (an empty object when the file does not exist); re-read when the file
 * changed since the last call.
 * @throws ConfigError naming the file when it is not valid YAML or an entry is malformed
 */
export async function readStorageModules(path = storageModulesPath()): Promise<StorageModulesConfig> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new ConfigError(`cannot read the storage modules file ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (cached !== undefined && cached.path === path && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.config;
  let doc: unknown;
  try {
    doc = parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new ConfigError(`the storage modules file ${path} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new ConfigError(`the storage modules file ${path} must map module names to {module, description?, args?}`);
  const config: StorageModulesConfig = {};
  for (const [name, entry] of Object.entries(doc as Record<string, unknown>)) config[name] = validateModuleEntry(name, entry, path);
  cached = { path, mtimeMs: info.mtimeMs, size: info.size, config };
  return config;
}

/** Writes the whole file atomically (temp file beside it, fsync, rename), mode 0600: args may hold secrets. */
async function writeConfig(path: string, config: StorageModulesConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.storage-modules.${randomBytes(6).toString("hex")}.tmp`);
  const text = `# skybutler storage modules: NAME -> {module, description?, args?}\n${stringify(config)}`;
  try {
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw new ConfigError(`cannot write the storage modules file ${path}: ${(err as Error).message}`, { cause: err });
  }
  cached = undefined;
}

/** Options of {@link addStorageModule} and {@link removeStorageModule}. */
export interface ModulesFileOptions {
  /** The YAML file (default {@link storageModulesPath}). */
  file?: string;
  /** Names that may not be used; default the registered URI schemes (`file`, `swift`, `s3` …). */
  reserved?: readonly string[];
}

/**
 * Adds or replaces the module NAME in the YAML file, atomically and under a lock file (what
 * `skybutler modules add` and `PUT /api/v1/system/storage-modules/NAME` do).
 *
 * ```ts
 * await addStorageModule("secure", { module: "skybutler:encrypt", args: { keyFile: "/etc/sb.key", over: "swift://" } });
 * ```
 * @returns whether an entry of that name was replaced
 * @throws ConfigError for a malformed name or entry, a reserved name, or a file that cannot be written
 */
export async function addStorageModule(name: string, entry: StorageModuleEntry, options: ModulesFileOptions = {}): Promise<boolean> {
  const file = options.file ?? storageModulesPath();
  const valid = validateModuleEntry(name, entry, file);
  if ((options.reserved ?? registeredSchemes()).includes(name)) throw new ConfigError(`"${name}" is a built-in URI scheme; choose another storage module name`);
  await mkdir(dirname(file), { recursive: true });
  return withFileLock(file, async () => {
    const config = { ...(await readStorageModules(file)) };
    const replaced = Object.hasOwn(config, name);
    config[name] = valid;
    await writeConfig(file, config);
    return replaced;
  });
}

/**
 * Removes the module NAME from the YAML file, atomically and under a lock file.
 * @returns whether it was there
 * @throws ConfigError when the file cannot be read or written
 */
export async function removeStorageModule(name: string, options: ModulesFileOptions = {}): Promise<boolean> {
  const file = options.file ?? storageModulesPath();
  try {
    await stat(file);
  } catch {
    return false;
  }
  return withFileLock(file, async () => {
    const config = { ...(await readStorageModules(file)) };
    if (!Object.hasOwn(config, name)) return false;
    delete config[name];
    await writeConfig(file, config);
    return true;
  });
}

const SECRET = /(secret|password|passwd|passphrase|token|credential|private|^key$|apikey|accesskey|authkey)/i;

/**
 * A copy of `args` safe to show (CLI `modules ls`, the admin API's GET): values under names that
 * look like secrets become "***", recursively. Paths of key files and names of variables stay.
 */
export function redactArgs(args: unknown): unknown {
  if (Array.isArray(args)) return args.map(redactArgs);
  if (args === null || typeof args !== "object") return args;
  return Object.fromEntries(
    Object.entries(args as Record<string, unknown>).map(([k, v]) => [k, SECRET.test(k) && (typeof v === "string" || typeof v === "number") ? "***" : redactArgs(v)]),
  );
}

/**
 * `args` as a client sent them back after a listing: where a secret-looking value is still the
 * redacted "***", the value of `previous` at the same place is kept (an admin UI that edits the
 * description must not overwrite the password with "***"), recursively.
 */
export function keepRedactedSecrets(args: unknown, previous: unknown): unknown {
  if (args === null || typeof args !== "object" || previous === null || typeof previous !== "object") return args;
  if (Array.isArray(args)) return Array.isArray(previous) ? args.map((v, i) => keepRedactedSecrets(v, previous[i])) : args;
  const before = previous as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(args as Record<string, unknown>).map(([k, v]) => [k, v === "***" && SECRET.test(k) && Object.hasOwn(before, k) ? before[k] : keepRedactedSecrets(v, before[k])]),
  );
}

/**
 * The configured modules with their secrets redacted (see {@link redactArgs}).
 * @throws ConfigError naming the file when it is malformed
 */
export async function listStorageModules(file = storageModulesPath()): Promise<StorageModulesConfig> {
  const config = await readStorageModules(file);
  return Object.fromEntries(
    Object.entries(config).map(([name, e]) => [name, { ...e, ...(e.args === undefined ? {} : { args: redactArgs(e.args) as Record<string, unknown> }) }]),
  );
}

/**
 * Loads what a `storage-modules.yaml` entry names — `package#Export`, `./file.js#Export` (relative
 * to the YAML file) or `skybutler:<wrapper>` — once per process, and checks that it honours one of
 * the two contracts: a `StorageFactory`, or a class with the seven {@link StorageModule} methods.
 *
 * @packageDocumentation
 */
import { createRequire } from "node:module";
import { dirname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ButlerError, ConfigError } from "../../errors.js";
import type { StorageFactory } from "../schemes.js";
import { MODULE_METHODS, StorageModule } from "./storage-module.js";
import type { StorageModuleEntry } from "./modules-file.js";

/** What an entry loads to. */
export type LoadedModule = { kind: "factory"; factory: StorageFactory } | { kind: "module"; instance: StorageModule };

/** The built-in wrappers, loaded on first use. */
const BUILTINS: Record<string, () => Promise<StorageFactory>> = {
  checksum: async () => (await import("../wrappers/checksum/checksum-storage.js")).openChecksumStorage,
  encrypt: async () => (await import("../wrappers/encrypt/encrypt-storage.js")).openEncryptStorage,
  dedup: async () => (await import("../wrappers/dedup/dedup-storage.js")).openDedupStorage,
  mirror: async () => (await import("../wrappers/mirror/mirror-storage.js")).openMirrorStorage,
  cache: async () => (await import("../wrappers/cache/cache-storage.js")).openCacheStorage,
};

/** The names of the built-in wrappers (`skybutler:<name>`). */
export const BUILTIN_WRAPPERS: readonly string[] = Object.keys(BUILTINS);

const instances = new Map<string, Promise<LoadedModule>>();

/**
 * Loads the module of an entry, once per process for the same name, module and args.
 * @param name - the entry's NAME (for messages)
 * @param entry - the entry
 * @param file - the YAML file the entry comes from (relative module paths start there)
 * @throws ConfigError naming the module when it cannot be loaded, lacks the export, or honours neither contract
 */
export function loadModule(name: string, entry: StorageModuleEntry, file: string): Promise<LoadedModule> {
  const id = JSON.stringify([name, entry.module, entry.args ?? {}, dirname(file)]);
  let loaded = instances.get(id);
  if (loaded === undefined) {
    loaded = load(name, entry, file);
    instances.set(id, loaded);
    loaded.catch(() => instances.delete(id)); // a fixed file or package may load next time
  }
  return loaded;
}

async function load(name: string, entry: StorageModuleEntry, file: string): Promise<LoadedModule> {
  const spec = entry.module.trim();
  const what = `storage module "${name}" (${spec}, from ${file})`;
  if (spec.startsWith("skybutler:")) {
    const builtin = BUILTINS[spec.slice("skybutler:".length)];
    if (builtin === undefined) throw new ConfigError(`${what}: no built-in "${spec}"; built-ins are ${BUILTIN_WRAPPERS.map((b) => `skybutler:${b}`).join(", ")}`);
    return { kind: "factory", factory: await builtin() };
  }
  const hash = spec.lastIndexOf("#");
  const specifier = hash > 0 ? spec.slice(0, hash) : spec;
  const exportName = hash > 0 ? spec.slice(hash + 1) : "default";
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(resolveSpecifier(specifier, file))) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`${what} could not be loaded: ${(err as Error).message}`, { cause: err });
  }
  const exported = namespace[exportName];
  if (exported === undefined) {
    const names = Object.keys(namespace).filter((k) => k !== "default");
    throw new ConfigError(`${what} has no export "${exportName}"; it exports ${names.join(", ") || "nothing named"}`);
  }
  if (typeof exported !== "function") throw new ConfigError(`${what}: export "${exportName}" is neither a StorageModule class nor a StorageFactory function`);
  if (!isModuleClass(exported)) return { kind: "factory", factory: exported as StorageFactory };
  const missing = MODULE_METHODS.filter((m) => typeof (exported.prototype as Record<string, unknown>)[m] !== "function");
  if (missing.length > 0) throw new ConfigError(`${what} breaks the StorageModule contract: it lacks ${missing.join(", ")}`);
  try {
    const instance = new (exported as new (args: Record<string, unknown>) => StorageModule)({ ...(entry.args ?? {}) });
    return { kind: "module", instance };
  } catch (err) {
    if (err instanceof ButlerError) throw err;
    throw new ConfigError(`${what} failed to start with its args: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * A class (not a factory): it extends StorageModule — possibly another copy of skybutler's, so the
 * prototype chain is checked by the methods it defines too.
 */
function isModuleClass(fn: { prototype?: unknown }): boolean {
  if (fn.prototype instanceof StorageModule) return true;
  const proto = fn.prototype as Record<string, unknown> | undefined;
  if (proto === undefined) return false;
  const own = MODULE_METHODS.filter((m) => typeof proto[m] === "function").length;
  return own > 0 || /^class\s/.test(Function.prototype.toString.call(fn));
}

/** A path relative to the YAML file, an absolute path, or a package resolved from the YAML file's directory first. */
function resolveSpecifier(specifier: string, file: string): string {
  if (specifier.startsWith("./") || specifier.startsWith("../")) return pathToFileURL(resolve(dirname(file), specifier)).href;
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  if (specifier.startsWith("file:")) return specifier;
  try {
    return pathToFileURL(createRequire(resolve(dirname(file), "noop.js")).resolve(specifier)).href;
  } catch {
    return specifier; // resolved from skybutler's own location (an ESM-only package, a dependency of the app)
  }
}

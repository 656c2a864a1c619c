/**
 * The bridge from `storageFromUri` to `storage-modules.yaml`: a scheme that no backend registered
 * is looked up there (loaded on first use only, so a process without modules never reads it).
 *
 * @packageDocumentation
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
// wrappers open the storages below them by URI: the built-in schemes must be registered
import "../builtin.js";
import { ConfigError } from "../../errors.js";
import type { Storage, StorageOptions } from "../storage.js";
import { loadModule } from "./module-loader.js";
import { ModuleStorage } from "./module-storage.js";
import { parseModuleUri } from "./module-uri.js";
import { readStorageModules, skybutlerStateDir, storageModulesPath, type StorageModuleEntry } from "./modules-file.js";

/** What a module's factory finds in `options.module`. */
export interface ModuleOptions {
  /** The module's NAME (its URI scheme). */
  name: string;
  /** The entry's `args` (an empty object when absent). */
  args: Readonly<Record<string, unknown>>;
  /** The YAML file the entry comes from (relative paths in args start at its directory). */
  file: string;
}

/** The configured module names (for "known schemes" in messages); none when the file is unreadable. */
export async function configuredModuleNames(): Promise<string[]> {
  try {
    return Object.keys(await readStorageModules(storageModulesPath())).sort();
  } catch {
    return [];
  }
}

/**
 * Opens `NAME://rest` when NAME is configured; undefined when it is not.
 * @throws ConfigError naming the module when it cannot be loaded or breaks its contract
 */
export async function openConfiguredModule(uri: string, options: StorageOptions): Promise<Storage | undefined> {
  const file = storageModulesPath();
  const parsed = parseModuleUri(uri);
  const entry = (await readStorageModules(file))[parsed.scheme];
  if (entry === undefined) return undefined;
  return openModuleEntry(parsed.scheme, entry, file, uri, options);
}

/**
 * Opens a URI with a given entry (what {@link openConfiguredModule} does once it found the entry).
 * @throws ConfigError naming the module
 */
export async function openModuleEntry(name: string, entry: StorageModuleEntry, file: string, uri: string, options: StorageOptions): Promise<Storage> {
  const parsed = parseModuleUri(uri);
  const loaded = await loadModule(name, entry, file);
  const args = entry.args ?? {};
  if (loaded.kind === "factory") {
    const module: ModuleOptions = { name, args, file };
    const storage = await loaded.factory(parsed.uri, { ...options, module });
    if (storage === null || typeof storage !== "object" || typeof storage.read !== "function") {
      throw new ConfigError(`storage module "${name}" (${entry.module}) breaks the StorageFactory contract: it did not return a Storage`);
    }
    return storage;
  }
  const indexPath = typeof args.index === "string" ? resolveFrom(file, args.index) : join(skybutlerStateDir(), "modules", name, "index.sqlite3");
  return ModuleStorage.open({ name, module: loaded.instance, uri: parsed.uri, root: parsed.rest, indexPath }, options);
}

/** A path from args, relative to the YAML file's directory. */
export function resolveFrom(file: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dirname(file), path);
}

/**
 * Storage backends by URI scheme, loaded lazily: `registerStorage("swift", () => import(...))`.
 *
 * @packageDocumentation
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, UnsupportedSchemeError } from "../errors.js";
import type { Storage, StorageOptions } from "./storage.js";

/** Makes a Storage for a root URI of its scheme. */
export type StorageFactory = (uri: string, options: StorageOptions) => Promise<Storage>;

/** Loads a backend module on first use and returns its factory. */
export type StorageLoader = () => Promise<StorageFactory>;

const loaders = new Map<string, StorageLoader>();

/**
 * Registers a Storage backend for a URI scheme. The loader runs on first use only, so a backend's
 * dependencies cost nothing until a repository of that scheme is opened.
 *
 * ```ts
 * registerStorage("mem", async () => (uri, options) => MemStorage.open(uri, options));
 * ```
 * @throws ConfigError when the scheme is already registered
 */
export function registerStorage(scheme: string, loader: StorageLoader): void {
  const key = scheme.toLowerCase().replace(/:$/, "");
  if (!/^[a-z][a-z0-9+.-]*$/.test(key)) throw new ConfigError(`"${scheme}" is not a valid URI scheme`);
  if (loaders.has(key)) throw new ConfigError(`a storage is already registered for scheme "${key}:"`);
  loaders.set(key, loader);
}

/** The registered schemes, sorted. */
export function registeredSchemes(): string[] {
  return [...loaders.keys()].sort();
}

/**
 * Turns a plain path (relative or absolute) into a `file://` URI and leaves URIs alone.
 * Windows-style drive letters are not URIs.
 */
export function toRootUri(uriOrPath: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uriOrPath) && !/^[a-zA-Z]:[\\/]/.test(uriOrPath)) return uriOrPath;
  const abs = isAbsolute(uriOrPath) ? uriOrPath : resolve(uriOrPath);
  return pathToFileURL(abs).href.replace(/\/+$/, "");
}

/** The scheme of a root URI or path (`file` for plain paths). */
export function schemeOf(uriOrPath: string): string {
  return toRootUri(uriOrPath).split(":", 1)[0]!.toLowerCase();
}

/**
 * Opens the Storage for a root URI or a plain path.
 *
 * ```ts
 * const storage = await storageFromUri("data/testcam-repo");
 * const ok = await storage.exists("registry.sqlite3");
 * ```
 * A scheme no backend registered is looked up in `storage-modules.yaml` (see `addStorageModule`):
 * `NAME://root` opens the module configured as NAME.
 * @throws UnsupportedSchemeError naming the known schemes (backends and configured modules)
 * @throws ConfigError when a configured module cannot be loaded or breaks its contract
 * @throws NotFoundError when the root does not exist and `create` is not set
 */
export async function storageFromUri(uriOrPath: string, options: StorageOptions = {}): Promise<Storage> {
  const uri = toRootUri(uriOrPath);
  const scheme = schemeOf(uri);
  const loader = loaders.get(scheme);
  if (loader === undefined) {
    // not a backend: maybe a module of storage-modules.yaml (read only now, and only then)
    const modules = await import("./modules/module-schemes.js");
    const storage = await modules.openConfiguredModule(uri, options);
    if (storage !== undefined) return storage;
    throw new UnsupportedSchemeError(scheme, [...registeredSchemes(), ...(await modules.configuredModuleNames())]);
  }
  const factory = await loader();
  return factory(uri, options);
}

/**
 * Mappers by name: repositories record their mapper as a registered name in portable YAML
 * (`mapper: testcam`) instead of Gen2's `!!python/name:` class tags.
 *
 * @packageDocumentation
 */
import { ConfigError } from "../errors.js";
import type { Registry, TableRegistry } from "../../registry/registry.js";
import type { Mapper } from "./mapper.js";

/** What a repository hands a mapper class when it instantiates it. */
export interface MapperCreateOptions {
  /** The repository's exposure registry. */
  registry?: Registry;
  /** The repository's calibration registry. */
  calibRegistry?: TableRegistry;
  /** A repository-level policy overlay (RepositoryCfg `policy`), merged with `mergePolicy`. */
  policyOverride?: Readonly<Record<string, unknown>>;
}

/** A mapper class: anything with an async factory (camera classes load their policy file there). */
export interface MapperClass {
  /** @throws PolicyError when the camera's policy is invalid */
  create(options?: MapperCreateOptions): Promise<Mapper>;
}

/** Loads a mapper class, typically `() => import("./x/x-mapper.js").then((m) => m.XMapper)`. */
export type MapperLoader = () => Promise<MapperClass>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const loaders = new Map<string, MapperLoader>();
// Shared so that concurrent loads of one name import once.
const loaded = new Map<string, Promise<MapperClass>>();

/**
 * Registers a mapper under a name, lazily: nothing is imported until {@link loadMapper}.
 *
 * ```ts
 * registerMapper("testcam", () => import("./testcam/testcam-mapper.js").then((m) => m.TestCamMapper));
 * ```
 * @throws ConfigError when the name is already registered or is not a plain name
 */
export function registerMapper(name: string, loader: MapperLoader): void {
  if (!NAME.test(name)) throw new ConfigError(`invalid mapper name ${JSON.stringify(name)}: use letters, digits, "_", "." and "-"`);
  if (loaders.has(name)) throw new ConfigError(`a mapper named "${name}" is already registered`);
  loaders.set(name, loader);
}

/** Whether a mapper name is registered. */
export function isMapperRegistered(name: string): boolean {
  return loaders.has(name);
}

/** Registered mapper names, sorted. */
export function registeredMappers(): string[] {
  return [...loaders.keys()].sort();
}

/**
 * The mapper class registered under a name (imported on first use, then cached).
 * @throws ConfigError for an unknown name (listing the known ones) or a loader that fails
 */
export function loadMapper(name: string): Promise<MapperClass> {
  const loader = loaders.get(name);
  if (loader === undefined) {
    const known = registeredMappers();
    return Promise.reject(
      new ConfigError(
        `no mapper registered as "${name}"; known mappers: ${known.join(", ") || "(none)"}` +
          ` (built-in mappers are registered by mappers/index.ts; others with registerMapper())`,
      ),
    );
  }
  let promise = loaded.get(name);
  if (promise === undefined) {
    promise = loader().then(
      (cls) => {
        if (cls === null || typeof cls?.create !== "function") throw new ConfigError(`mapper "${name}" loaded something without a static create()`);
        return cls;
      },
      (err: unknown) => {
        loaded.delete(name); // a failed import (e.g. a missing optional package) may be retried
        throw new ConfigError(`cannot load mapper "${name}": ${(err as Error).message}`, { cause: err });
      },
    );
    loaded.set(name, promise);
  }
  return promise;
}

/**
 * Removes a registration (for tests and plugins that replace a mapper).
 * @returns whether the name was registered
 */
export function unregisterMapper(name: string): boolean {
  loaded.delete(name);
  return loaders.delete(name);
}

/**
 * What `skybutler modules stats` and the admin API's statistics call.
 *
 * @packageDocumentation
 */
import { ConfigError } from "../../errors.js";
import { TempScope } from "../../temp/index.js";
import type { StorageStatistics } from "../storage.js";

/** Options of {@link moduleStatistics}. */
export interface ModuleStatisticsOptions {
  /** Open `NAME://root` and report that storage's statistics; default: the module itself. */
  root?: string;
  /** Count the objects and bytes below the root (with `root`). */
  count?: boolean;
}

/**
 * Statistics of a configured module: its own `statistics(ctx)` for a {@link StorageModule} class
 * (Mezeo's JSON with `capacity`), or, with `root` or for a wrapper, those of the storage
 * `NAME://root`.
 *
 * ```ts
 * const { capacity } = await moduleStatistics("vendor");
 * ```
 * @throws ConfigError when NAME is not configured or its module cannot be loaded
 * @throws what the storage's statistics throw
 */
export async function moduleStatistics(name: string, options: ModuleStatisticsOptions = {}): Promise<StorageStatistics> {
  const { readStorageModules, storageModulesPath } = await import("./modules-file.js");
  const file = storageModulesPath();
  const entry = (await readStorageModules(file))[name];
  if (entry === undefined) throw new ConfigError(`no storage module "${name}" in ${file}; add it with addStorageModule (skybutler modules add)`);
  const { loadModule } = await import("./module-loader.js");
  const loaded = await loadModule(name, entry, file);
  if (loaded.kind === "module" && options.root === undefined) {
    const { moduleContext } = await import("./module-context.js");
    const scope = new TempScope();
    try {
      const stats = await loaded.instance.statistics(moduleContext(name, scope));
      if (stats === null || typeof stats !== "object" || !("capacity" in stats)) {
        throw new ConfigError(`storage module "${name}" breaks the StorageModule contract: statistics must return an object with capacity`);
      }
      return stats;
    } finally {
      await scope.close();
    }
  }
  const { storageFromUri } = await import("../schemes.js");
  const storage = await storageFromUri(`${name}://${options.root ?? ""}`);
  try {
    return await storage.statistics({ count: options.count === true });
  } finally {
    await storage.close();
  }
}

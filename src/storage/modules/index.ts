/**
 * Storage modules by configuration (Mezeo's vendor modules): `storage-modules.yaml`, the
 * {@link StorageModule} contract, and the functions the CLI and the admin API call.
 *
 * @packageDocumentation
 */
export { StorageModule, type MaybePromise, type ModuleContext, type ModuleLogger, type ModuleReadStream, type ModuleStatistics } from "./storage-module.js";
export {
  addStorageModule,
  keepRedactedSecrets,
  listStorageModules,
  readStorageModules,
  redactArgs,
  removeStorageModule,
  storageModulesPath,
  validateModuleEntry,
  type ModulesFileOptions,
  type StorageModuleEntry,
  type StorageModulesConfig,
} from "./modules-file.js";
export { BUILTIN_WRAPPERS } from "./module-loader.js";
export { moduleStatistics, type ModuleStatisticsOptions } from "./module-admin.js";
export { modulesOver } from "./module-dependents.js";
export type { ModuleOptions } from "./module-schemes.js";

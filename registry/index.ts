/**
 * Registries: metadata lookups that complete data ids.
 * @packageDocumentation
 */
export type { ColumnType, LookupOptions, RangeCondition, Registry, RegistryRow } from "./registry.js";
export { SqliteRegistry } from "./sqlite/sqlite-registry.js";
export { PosixRegistry } from "./posix/posix-registry.js";
export { templateScanner, type TemplateScanner } from "./posix/template-scanner.js";
export {
  buildCalibRegistry,
  buildRegistry,
  type BuildCalibRegistryOptions,
  type BuildRegistryOptions,
  type BuildRegistryResult,
  type RegistryInputRow,
} from "./build-registry.js";

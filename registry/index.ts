/**
 * Registries: metadata lookups that complete data ids.
 * @packageDocumentation
 */
export type { ColumnType, LookupOptions, RangeCondition, Registry, RegistryRow, TableRegistry, TemplateRegistry } from "./registry.js";
export { SqliteRegistry } from "./sqlite/sqlite-registry.js";
export { ScanRegistry } from "./scan/scan-registry.js";
export { templateScanner, type TemplateScanner } from "./scan/template-scanner.js";
export {
  buildCalibRegistry,
  buildRegistry,
  type BuildCalibRegistryOptions,
  type BuildRegistryOptions,
  type BuildRegistryResult,
  type RegistryInputRow,
} from "./build-registry.js";
export { RegistryWriter, type RegistryWriterOptions, type RowOutcome } from "./sqlite/registry-writer.js";

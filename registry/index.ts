/**
 * Registries: metadata lookups that complete data ids.
 * @packageDocumentation
 */
export type { ColumnType, Registry, RegistryRow } from "./registry.js";
export { SqliteRegistry } from "./sqlite/sqlite-registry.js";
export { buildRegistry, type BuildRegistryOptions, type BuildRegistryResult, type RegistryInputRow } from "./build-registry.js";

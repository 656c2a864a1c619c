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
export { PgRegistry, INTERNAL_TABLE_PREFIX, type PgRegistryOptions } from "./pg/pg-registry.js";
export { PgDatabase, type PgRow, type PgTransaction } from "./pg/pg-database.js";
export {
  PG_CONFIG_KEY,
  formatPgConfig,
  parsePgConfig,
  pgConfigFromUrl,
  resolvePassword,
  tlsOptions,
  type PasswordSources,
  type PgConfig,
  type PgTlsConfig,
} from "./pg/pg-config.js";
export { defaultValidity, insertRows, writePgTables, type PgCell, type PgTableSpec, type PgValidity } from "./pg/pg-tables.js";
export { sqliteTableSpecs, type SqliteTableOptions } from "./pg/sqlite-tables.js";
export { RegistryWriter, type RegistryWriterOptions, type RowOutcome } from "./sqlite/registry-writer.js";

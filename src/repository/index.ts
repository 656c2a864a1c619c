/**
 * Repositories: one root with its storage, configuration, registry and mapper.
 * @packageDocumentation
 */
export { DatasetRecords, DATASET_RECORDS_KEY, canonicalDataId, type DatasetRecord } from "./dataset-records.js";
export { Repository, repositoryRoot, REGISTRY_KEY, CALIB_REGISTRY_KEY, type RepositoryArgs, type RepositoryMode, type RepositoryOpenContext, type MapperContext } from "./repository.js";
export {
  REPOSITORY_CFG_KEY,
  readRepositoryCfg,
  writeRepositoryCfg,
  relativeParent,
  absoluteParent,
  type RepositoryCfg,
} from "./repository-cfg.js";
export type { DatasetHandle, ReadOutcome, WriteDatasetOptions } from "./dataset-io.js";
export * from "./records/index.js";
export { fsck, fsckRepository, formatFsckReport, type FsckFinding, type FsckOptions, type FsckReport } from "./fsck.js";
export { migrateRegistry, type MigrateOptions, type MigrateResult } from "./registry-migrate.js";
export type { StoredSource } from "./dataset-io.js";
export type { ByteRange, StoredDataset } from "./stored-dataset.js";
export type { IngestMode, IngestOptions, IngestOutcome, IngestSession } from "./ingest.js";
export type { RegistryBuildReport } from "./registry-build.js";
export type { RegistryDescription, RepositoryDescription } from "./repository-description.js";
export type { StorletSpec, StorletResult } from "./storlet-read.js";

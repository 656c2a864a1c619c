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
export type { DatasetHandle, WriteDatasetOptions } from "./dataset-io.js";
export type { StorletSpec, StorletResult } from "./storlet-read.js";

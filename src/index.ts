/**
 * skybutler: a data-repository persistence framework for astronomy pipelines. This is what a user
 * imports; internals that tests and tools need are in `skybutler/testing`, FITS in `skybutler/fits`,
 * the HTTP server in `skybutler/server`.
 *
 * ```ts
 * import { Butler, Exposure } from "skybutler";
 * const butler = await Butler.create({ inputs: "data/testcam-repo", outputs: { root: "/scratch/rerun", mode: "rw" } });
 * const raw = await butler.get<Exposure>("raw", { visit: 1, ccd: 0 });
 * await butler.put(raw, "calexp", { visit: 1, ccd: 0 });
 * await butler.close();
 * ```
 *
 * @packageDocumentation
 */

// the Butler
export {
  Butler,
  type ButlerOptions,
  type DataIdInput,
  type GetOptions,
  type IngestFilesOptions,
  type IngestResult,
  type PutOptions,
  type SearchOptions,
  type StoredBytes,
} from "./butler/butler.js";
export type { RepositorySpec } from "./butler/repository-graph.js";
export type { RepositoryArgs, RepositoryMode } from "./repository/repository.js";
export type { IngestMode, IngestOutcome, RegistryBuildReport, RegistryDescription, RepositoryDescription, StoredDataset } from "./repository/index.js";
export { ReadProxy } from "./butler/read-proxy.js";
export { ButlerDataRef, ButlerSubset } from "./butler/data-ref.js";
export type { DataId, DataIdValue } from "./data-id.js";

// errors, by class and by code
export * from "./errors.js";
export { ERROR_CODES, errorFromCode, isErrorCode } from "./error-from-code.js";

// what datasets are in memory
export {
  Catalog,
  Exposure,
  Header,
  Image,
  Mask,
  MaskedImage,
  makeBox2I,
  type Box2I,
  type CatalogSchema,
  type Column,
  type ColumnInfo,
  type HeaderValue,
  type PixelArray,
  type SchemaColumn,
  type VisitInfo,
  type Wcs,
} from "./image/index.js";

// storage backends: by URI scheme, and by configuration (storage modules)
export {
  allowLoopSyncs,
  registerStorage,
  registeredSchemes,
  storageFromUri,
  StorageDecorator,
  StorageModule,
  type AvailableOptions,
  type ByteRange,
  type CommitOptions,
  type HttpStorageOptions,
  type ListOptions,
  type LocalFileOptions,
  type ModuleContext,
  type ModuleLogger,
  type ModuleReadStream,
  type ModuleStatistics,
  type ObjectInfo,
  type PendingLocalFile,
  type RangedObject,
  type RetryOptions,
  type S3StorageOptions,
  type StatisticsOptions,
  type SweepOptions,
  type SweepReport,
  type Storage,
  type StorageCapabilities,
  type StorageCapacity,
  type StorageFactory,
  type StorageLoader,
  type StorageModuleEntry,
  type StorageOptions,
  type StorageStatistics,
  type SwiftStorageOptions,
  type TimeoutOptions,
  type WriteOptions,
} from "./storage/index.js";
export type { LocalFile } from "./temp/index.js";

// cameras, formats and registries
export {
  CameraMapper,
  registerMapper,
  registeredMappers,
  type ButlerLocation,
  type Bypass,
  type BypassContext,
  type BypassHook,
  type CompositeSpec,
  type DatasetView,
  type MapHook,
  type Mapper,
  type MapperClass,
  type MapperCreateOptions,
  type MapOptions,
  type QueryHook,
  type StdHook,
} from "./mapper/index.js";
export { registerFormatter, type FileMetadata, type Formatter, type FormatterContext } from "./formatters/index.js";
export {
  buildCalibRegistry,
  buildRegistry,
  type Registry,
  type RegistryRow,
  type TableRegistry,
  type TemplateRegistry,
} from "../registry/index.js";

// previews
export {
  imageLimits,
  renderPng,
  writePng,
  zscaleLimits,
  type Limits,
  type MaskLegendEntry,
  type RenderedPng,
  type RenderInfo,
  type RenderOptions,
  type RenderSource,
} from "./render/index.js";

// The server (fastify) is its own entry point, `skybutler/server`, so that importing the library
// never loads it; its options types are here for configuration code.
export type { ServerOptions } from "./server/skybutler-server.js";
export type { ServerLimits } from "./server/server-context.js";

// Storlets: the JavaScript contract a storlet module implements (types only: a storlet imports
// nothing of skybutler at run time), and what `butler.get(…, { storlet })` takes and returns.
export type { Storlet, StorletClass, StorletInputFile, StorletOutputFile, StorletLogger, StorletMetadata, StorletParams } from "./storlets/contract.js";
export type { StorletSpec, StorletResult } from "./repository/storlet-read.js";

/**
 * The storage layer's public API: the {@link Storage} contract, backends by URI scheme, key rules
 * and the `file://` backend. Importing it registers the built-in schemes.
 *
 * ```ts
 * import { storageFromUri } from "skybutler";
 * const storage = await storageFromUri("/scratch/rerun", { create: true });
 * await storage.write("notes.txt", "hello\n");
 * ```
 *
 * @packageDocumentation
 */
import "./builtin.js";

export type {
  AvailableOptions,
  ByteRange,
  ListOptions,
  LocalFileOptions,
  ObjectInfo,
  PendingLocalFile,
  RangedObject,
  StatisticsOptions,
  SweepOptions,
  SweepReport,
  Storage,
  StorageCapabilities,
  StorletCall,
  RemoteStorletOutput,
  StorageCapacity,
  StorageOptions,
  StorageStatistics,
  WriteOptions,
} from "./storage.js";
export {
  registerStorage,
  registeredSchemes,
  schemeOf,
  storageFromUri,
  toRootUri,
  type StorageFactory,
  type StorageLoader,
} from "./schemes.js";
export { normalizeKey, normalizePrefix } from "./keys.js";
export { PosixStorage } from "./posix/posix-storage.js";
export { allowLoopSyncs } from "./posix/atomic-write.js";
// Swift is loaded lazily (its HTTP client costs nothing until a swift:// repository is opened), so
// only its option types are exported here; `import("skybutler")` never loads undici.
export type { SwiftStorageOptions } from "./swift/swift-options.js";
export type { HttpStorageOptions } from "./http/http-storage.js";
export type { S3StorageOptions } from "./s3/s3-options.js";
export type { RetryOptions, TimeoutOptions } from "./retry-policy.js";
export type { CommitOptions } from "./storage.js";
export { StorageDecorator } from "./storage-decorator.js";
export { etagPinnedObject } from "./ranged-object.js";
export { StreamStorage } from "./stream-storage.js";
// storage modules: configuration, the vendor contract and the admin functions; the module code
// itself (adapter, wrappers) is loaded only when a module URI is opened
export * from "./modules/index.js";
export { gcDedup, repairMirror } from "./wrappers/admin.js";
export { TempLocalFiles, type TempLocalFileOps } from "./temp-local-files.js";

/**
 * `skybutler/testing`: the conformance suites that every backend passes — run them against a
 * third-party Storage, storage module or output backend — and the internals that skybutler's own
 * tests and tools reach into. Nothing here is the stable user API (that is `skybutler`).
 *
 * ```ts
 * import { describeStorageConformance } from "skybutler/testing";
 * describeStorageConformance({ name: "MyStorage", create: async () => ({ storage, cleanup, denyWrite }) });
 * ```
 *
 * The suites are mocha `describe`/`it` blocks with chai assertions (peer dependencies).
 *
 * @packageDocumentation
 */
export { describeStorageConformance, type ConformanceOptions, type StorageFixture } from "./storage-conformance.js";
export { describeButlerConformance } from "./butler-conformance.js";
export { describeRecordStoreConformance, type RecordStoreConformanceOptions, type RecordStoreFixture } from "./record-store-conformance.js";
export { describeRegistryConformance, REGISTRY_SAMPLE, type RegistryConformanceOptions, type RegistryFixture, type RegistrySample } from "./registry-conformance.js";
export { SAMPLE_REPO, type ButlerConformanceOptions, type RepoFixture } from "./butler/context.js";
export { rejection, thrown } from "./assertions.js";
export { filesBelow } from "./files-below.js";

// internals, by layer
export * from "../index.js";
export { DatasetTypeAliases } from "../butler/aliases.js";
export * from "../repository/index.js";
export * from "../mapper/index.js";
export * from "../../registry/index.js";
export * from "../formatters/index.js";
export * from "../storage/index.js";
export * from "../temp/index.js";
export * from "../image/index.js";
export * from "../render/index.js";
export { ERROR_CODES, errorFromCode, isErrorCode } from "../error-from-code.js";

/**
 * skybutler: a data-repository persistence framework for astronomy pipelines.
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
export { Butler, type ButlerOptions, type DataIdInput } from "./butler/butler.js";
export type { RepositorySpec } from "./butler/repository-graph.js";
export type { GetOptions, PutOptions, SearchOptions } from "./butler/butler.js";
export { ReadProxy } from "./butler/read-proxy.js";
export { ButlerDataRef, ButlerSubset } from "./butler/data-ref.js";
export { DatasetTypeAliases } from "./butler/aliases.js";
export * from "./errors.js";
export type { DataId, DataIdValue } from "./data-id.js";
export * from "./image/index.js";
export * from "./storage/index.js";
export * from "./temp/index.js";
export * from "./formatters/index.js";
export * from "./repository/index.js";
export * from "./mapper/index.js";
export * from "../registry/index.js";
// render: PNG previews with zscale/minmax/percentile intervals, astropy stretches, mask overlays
export * from "./render/index.js";
export { ERROR_CODES, errorFromCode, isErrorCode } from "./error-from-code.js";
// The server (fastify) is its own entry point, `skybutler/server`, so that importing the library
// never loads it; its options type is here for configuration code.
export type { ServerOptions } from "./server/skybutler-server.js";
export type { ServerLimits } from "./server/server-context.js";

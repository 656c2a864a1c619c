/**
 * What a mapper returns: where a dataset lives and how to read or write it.
 * @packageDocumentation
 */
import type { DataId } from "../data-id.js";

/**
 * The result of `CameraMapper.map` (Gen2's `ButlerLocation`), free of any storage: the Repository
 * joins `locations` with its Storage root.
 */
export interface ButlerLocation {
  /** The dataset type that was mapped. */
  datasetType: string;
  /** The storage (formatter) name from the policy, e.g. `FitsStorage`. */
  storageName: string;
  /** The in-memory type name from the policy, e.g. `Exposure`. */
  pythonType: string;
  /** Storage keys relative to the repository root (one per file; usually one). */
  locations: string[];
  /** The completed data id: what was given plus what the registry supplied. */
  dataId: DataId;
  /** Extra parameters for the formatter (Gen2 seeded it with the data id; `_sub` adds a bbox …). */
  additionalData: Record<string, unknown>;
}

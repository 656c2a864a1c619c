/**
 * The public types around {@link CameraMapper}: its options, the per-type hook signatures a camera
 * subclass implements, and the shape of a concrete camera class. They live apart from the class so
 * that the helpers it delegates to can name them without importing the class itself.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../data-id.js";
import type { Registry, TableRegistry } from "../../registry/registry.js";
import type { MapOptions } from "./mapper.js";
import type { Bypass, ButlerLocation } from "./butler-location.js";
import type { CameraMapper } from "./camera-mapper.js";
import type { MapperPolicy } from "./policy.js";

/** Options of the {@link CameraMapper} constructor. */
export interface CameraMapperOptions {
  /** The validated policy (see `loadPolicy`). */
  policy: MapperPolicy;
  /**
   * The exposure registry (`registry.sqlite3`), or a scanning registry for a repository without one.
   * The mapper uses it but does not close it.
   */
  registry?: Registry;
  /** The calibration registry (`calibRegistry.sqlite3`), for calibration validity lookups. Not closed by the mapper. */
  calibRegistry?: TableRegistry;
  /** The registered mapper name (default: the policy's `camera`, else `camera`). */
  name?: string;
}

/** A per-type `map_<type>` hook on a subclass (Gen2's `map_camera`, `map_expIdInfo` …). */
export type MapHook = (dataId: Readonly<DataId>, options: MapOptions) => ButlerLocation | Promise<ButlerLocation>;
/** A per-type `query_<type>` hook on a subclass. */
export type QueryHook = (format: readonly string[], dataId: Readonly<DataId>) => Array<DataIdValue | DataIdValue[]> | Promise<Array<DataIdValue | DataIdValue[]>>;
/** A per-type `std_<type>` hook on a subclass: standardizes what was read (Gen2 `std_raw`). */
export type StdHook = (item: unknown, dataId: Readonly<DataId>) => unknown;
/** A per-type `bypass_<type>` hook on a subclass: computes the value instead of reading it. */
export type BypassHook = Bypass;

/** A concrete camera class, as {@link CameraMapper.create} builds it. */
export interface CameraMapperClass<M extends CameraMapper> {
  new (options: CameraMapperOptions): M;
  /** The class name, for messages. */
  readonly name: string;
  /** Where the camera's policy YAML lives, e.g. `new URL("./policy.yaml", import.meta.url)`. */
  readonly policyUrl?: URL | string;
  /** The name the camera is registered under (default: the policy's `camera`). */
  readonly mapperName?: string;
}

/**
 * CameraMapper: turns (dataset type, data id) into a {@link ButlerLocation} using a policy and a
 * registry — Gen2's `CameraMapper` + `Mapping`, without any storage or file access.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../data-id.js";
import { DataIdError, PolicyError, RegistryError, UnknownDatasetTypeError } from "../errors.js";
import type { Registry } from "../../registry/registry.js";
import type { ButlerLocation } from "./butler-location.js";
import { closeNames } from "./close-names.js";
import { normalizeDataId } from "./normalize-data-id.js";
import type { DatasetPolicy, MapperPolicy } from "./policy.js";
import { registryLookup, SKYMAP_KEYS } from "./registry-lookup.js";
import { fillTemplate, parseTemplate, type KeyType } from "./template.js";

/** Options of the {@link CameraMapper} constructor. */
export interface CameraMapperOptions {
  /** The validated policy (see `loadPolicy`). */
  policy: MapperPolicy;
  /** The exposure registry (`registry.sqlite3`). The mapper uses it but does not close it. */
  registry?: Registry;
  /** The calibration registry (`calibRegistry.sqlite3`); validity lookups are a later issue. */
  calibRegistry?: Registry;
  /** The registered mapper name (default: the policy's `camera`, else `camera`). */
  name?: string;
}

/** Options of {@link CameraMapper.map}. */
export interface MapOptions {
  /** Mapping for a put rather than a get. The mapping is the same today; hooks may differ. */
  write?: boolean;
}

/** A per-type `map_<type>` hook on a subclass (Gen2's `map_camera`, `map_expIdInfo` …). */
export type MapHook = (dataId: Readonly<DataId>, options: MapOptions) => ButlerLocation;
/** A per-type `query_<type>` hook on a subclass. */
export type QueryHook = (format: readonly string[], dataId: Readonly<DataId>) => Array<DataIdValue | DataIdValue[]>;

const MAX_LISTED = 10;

/**
 * Maps dataset types to storage keys from a policy, completing data ids through the registry.
 *
 * ```ts
 * const mapper = new CameraMapper({ policy: await loadPolicy("policy.yaml"), registry });
 * mapper.map("calexp", { visit: 1, ccd: 3 }).locations;  // ["calexp/v1_fg_c03.fits"], filter from the registry
 * mapper.queryMetadata("raw", ["visit", "ccd"], { filter: "g" });  // [[1, 0], [1, 1], …]
 * ```
 *
 * Subclasses add per-type behaviour by defining methods named `map_<datasetType>` ({@link MapHook})
 * or `query_<datasetType>` ({@link QueryHook}); they take precedence over the policy.
 */
export class CameraMapper {
  readonly #policy: MapperPolicy;
  readonly #registry: Registry | undefined;
  readonly #calibRegistry: Registry | undefined;
  readonly #name: string;

  /** @param options - the policy, the registries and the mapper's registered name */
  constructor(options: CameraMapperOptions) {
    this.#policy = options.policy;
    this.#registry = options.registry;
    this.#calibRegistry = options.calibRegistry;
    this.#name = options.name ?? options.policy.camera ?? "camera";
  }

  /** The mapper's registered name, e.g. `testcam`. */
  get name(): string {
    return this.#name;
  }

  /** The policy in use. */
  get policy(): MapperPolicy {
    return this.#policy;
  }

  /** The exposure registry, if any. */
  get registry(): Registry | undefined {
    return this.#registry;
  }

  /** The calibration registry, if any. */
  get calibRegistry(): Registry | undefined {
    return this.#calibRegistry;
  }

  /** Every dataset type: the policy's, then those only a `map_<type>` hook defines. Sorted within each group. */
  getDatasetTypes(): string[] {
    const fromPolicy = [...this.#policy.datasets.keys()];
    const fromHooks = this.#hookNames("map_").filter((n) => !this.#policy.datasets.has(n));
    return [...fromPolicy, ...fromHooks.sort()];
  }

  /**
   * The policy entry of a dataset type.
   * @throws UnknownDatasetTypeError listing close names
   */
  getDatasetPolicy(datasetType: string): DatasetPolicy {
    const dataset = this.#policy.datasets.get(datasetType);
    if (dataset === undefined) throw new UnknownDatasetTypeError(datasetType, closeNames(datasetType, this.getDatasetTypes()));
    return dataset;
  }

  /**
   * The data-id keys of a dataset type and their types: the template's keys plus the columns of its
   * registry tables (template types win). Without a type, the union over all types. At a `level`
   * named in the policy's `levels`, the keys below that level are left out (Gen2 `getKeys`).
   * @throws UnknownDatasetTypeError
   */
  getKeys(datasetType?: string, level?: string): Record<string, KeyType> {
    const types = datasetType === undefined ? [...this.#policy.datasets.values()] : [this.getDatasetPolicy(datasetType)];
    const keys: Record<string, KeyType> = {};
    for (const dataset of types) Object.assign(keys, this.#keysOf(dataset));
    if (level !== undefined && Object.hasOwn(this.#policy.levels, level)) {
      for (const key of this.#policy.levels[level]!) delete keys[key];
    }
    return keys;
  }

  /** The policy's `defaultLevel`. */
  getDefaultLevel(): string | undefined {
    return this.#policy.defaultLevel;
  }

  /** The policy's `defaultSubLevels[level]`. */
  getDefaultSubLevel(level: string): string | undefined {
    return Object.hasOwn(this.#policy.defaultSubLevels, level) ? this.#policy.defaultSubLevels[level] : undefined;
  }

  /**
   * Maps a dataset type and data id to its location. Keys the template needs but the data id lacks
   * are looked up in the registry and must have exactly one value.
   * @throws UnknownDatasetTypeError listing close names
   * @throws DataIdError for a wrongly typed value, a key that cannot be looked up, a lookup with no
   *   or several rows (listing the candidates), or a value that would escape the repository root
   * @throws PolicyError for a calibration whose keys would need a validity lookup, or a type with no template
   * @throws RegistryError when the policy names a table the registry lacks
   */
  map(datasetType: string, dataId: Readonly<DataId>, options: MapOptions = {}): ButlerLocation {
    const hook = this.#hook<MapHook>("map_", datasetType);
    if (hook !== undefined) return hook.call(this, dataId, options);
    return this.mapDataset(this.getDatasetPolicy(datasetType), dataId);
  }

  /**
   * Distinct values of the `format` keys among the registry rows matching the data id: a list of
   * values for one key, a list of tuples for several (as Gen2), sorted.
   * @throws UnknownDatasetTypeError
   * @throws DataIdError for an empty format, or a key that is not a registry column
   * @throws PolicyError for a type without registry tables, or a calibration
   * @throws RegistryError when there is no registry
   */
  queryMetadata(datasetType: string, format: readonly string[], dataId: Readonly<DataId> = {}): Array<DataIdValue | DataIdValue[]> {
    const hook = this.#hook<QueryHook>("query_", datasetType);
    if (hook !== undefined) return hook.call(this, format, dataId);
    const dataset = this.getDatasetPolicy(datasetType);
    if (format.length === 0) throw new DataIdError("queryMetadata needs at least one key to return (format)");
    if (dataset.section === "calibrations") throw calibrationLookupError(dataset, format);
    const registry = this.#registry;
    if (registry === undefined) throw new RegistryError(`mapper ${this.#name} has no registry; queryMetadata("${datasetType}") needs one`);
    if (dataset.tables.length === 0) throw new PolicyError(`${this.#policy.source}: dataset type "${datasetType}" lists no registry tables; it cannot be queried`);
    const rows = registryLookup(registry, dataset, format, normalizeDataId(dataId, this.#keysOf(dataset)));
    return format.length === 1 ? rows.map((row) => row[0]!) : rows;
  }

  /**
   * The policy-driven mapping behind {@link CameraMapper.map}, for `map_<type>` hooks to build on.
   * @throws as {@link CameraMapper.map}
   */
  protected mapDataset(dataset: DatasetPolicy, dataId: Readonly<DataId>): ButlerLocation {
    if (dataset.template === undefined) {
      throw new PolicyError(`dataset type "${dataset.name}" (storage ${dataset.storage}) has no template and cannot be mapped to a file`);
    }
    const id = normalizeDataId(dataId, this.#keysOf(dataset));
    const missing = [...parseTemplate(dataset.template).keys.keys()].filter((k) => id[k] === undefined);
    if (missing.length > 0) Object.assign(id, this.#need(dataset, missing, id));
    return {
      datasetType: dataset.name,
      storageName: dataset.storage,
      pythonType: dataset.python,
      locations: [fillTemplate(dataset.template, id)],
      dataId: id,
      additionalData: { ...id },
    };
  }

  /** Gen2's `Mapping.need`: exactly one registry row must supply the missing keys. */
  #need(dataset: DatasetPolicy, missing: string[], id: DataId): DataId {
    const given = JSON.stringify(id);
    const names = missing.map((k) => `"${k}"`).join(", ");
    const skymap = missing.find((k) => SKYMAP_KEYS.has(k));
    if (skymap !== undefined) {
      throw new DataIdError(`data id ${given} has no "${skymap}"; ${skymap} comes from the sky map and is never looked up: give it in the data id`, skymap);
    }
    if (dataset.section === "calibrations") throw calibrationLookupError(dataset, missing);
    if (this.#registry === undefined) {
      throw new DataIdError(`data id ${given} has no ${names} for "${dataset.name}" and mapper ${this.#name} has no registry to look it up; add it to the data id`, missing[0]);
    }
    if (dataset.tables.length === 0) {
      throw new DataIdError(`data id ${given} has no ${names}, and "${dataset.name}" lists no registry tables to look it up in; add it to the data id`, missing[0]);
    }
    const rows = registryLookup(this.#registry, dataset, missing, id);
    if (rows.length === 0) {
      throw new DataIdError(`no registry entry for "${dataset.name}" matches data id ${given}, so ${names} cannot be looked up; check the data id`, missing[0]);
    }
    if (rows.length > 1) {
      const candidates = rows.map((row) => (missing.length === 1 ? row[0]! : Object.fromEntries(missing.map((k, i) => [k, row[i]!]))));
      const listed = candidates.slice(0, MAX_LISTED).map((c) => JSON.stringify(c)).join(", ");
      const more = candidates.length > MAX_LISTED ? `, … (${candidates.length - MAX_LISTED} more)` : "";
      throw new DataIdError(
        `data id ${given} does not determine ${names} for "${dataset.name}": ${rows.length} registry entries match (${listed}${more}); add ${names} to the data id`,
        missing[0],
        candidates,
      );
    }
    return Object.fromEntries(missing.map((k, i) => [k, rows[0]![i]!]));
  }

  #keysOf(dataset: DatasetPolicy): Record<string, KeyType> {
    const registry = dataset.section === "calibrations" ? this.#calibRegistry : this.#registry;
    const keys: Record<string, KeyType> = {};
    if (registry !== undefined) {
      // only tables the registry has: a policy may list optional ones (e.g. raw_skyTile)
      const present = new Set(registry.tables());
      for (const table of dataset.tables) if (present.has(table)) Object.assign(keys, registry.columnTypes(table));
    }
    if (dataset.template !== undefined) for (const [key, type] of parseTemplate(dataset.template).keys) keys[key] = type;
    return keys;
  }

  #hook<T>(prefix: string, datasetType: string): T | undefined {
    const candidate = (this as unknown as Record<string, unknown>)[`${prefix}${datasetType}`];
    return typeof candidate === "function" ? (candidate as T) : undefined;
  }

  /** Names of hook methods defined by subclasses (walks the prototype chain down to CameraMapper). */
  #hookNames(prefix: string): string[] {
    const names = new Set<string>();
    for (let proto = Object.getPrototypeOf(this); proto !== null && proto !== CameraMapper.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const name of Object.getOwnPropertyNames(proto)) if (name.startsWith(prefix) && name.length > prefix.length) names.add(name.slice(prefix.length));
    }
    return [...names];
  }
}

function calibrationLookupError(dataset: DatasetPolicy, keys: readonly string[]): PolicyError {
  return new PolicyError(
    `"${dataset.name}" is a calibration: looking up ${keys.map((k) => `"${k}"`).join(", ")} needs a calibration registry ` +
      `validity-range lookup, which is not implemented yet; give every template key in the data id`,
  );
}

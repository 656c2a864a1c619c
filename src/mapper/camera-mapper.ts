/**
 * CameraMapper: turns (dataset type, data id) into a {@link ButlerLocation} using a policy and
 * registries — Gen2's `CameraMapper` + `Mapping`, without any storage or file access. The class
 * holds the state and the overridable entry points; name resolution, keys, mapping and querying
 * of one policy entry live in `dataset-*.ts`.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../data-id.js";
import { PolicyError, UnknownDatasetTypeError } from "../errors.js";
import type { Registry, TableRegistry } from "../../registry/registry.js";
import type { ButlerLocation, CompositeSpec } from "./butler-location.js";
import type { BypassHook, CameraMapperClass, CameraMapperOptions, MapHook, QueryHook, StdHook } from "./camera-mapper-types.js";
import type { IngestRules, Mapper, MapOptions } from "./mapper.js";
import { compositeSpec } from "./composite.js";
import { closeNames } from "./close-names.js";
import { keysAtLevel } from "./dataset-keys.js";
import { datasetLocation } from "./dataset-location.js";
import { checkComposites, listDatasetTypes, readOnlyError, resolveDatasetType, type ResolvedName } from "./dataset-names.js";
import { queryDataset } from "./dataset-query.js";
import { findHook } from "./hooks.js";
import type { MapperCreateOptions } from "./mapper-registry.js";
import type { NeedContext } from "./need.js";
import { mergePolicy, type DatasetPolicy, type MapperPolicy } from "./policy.js";
import { loadPolicyOnce } from "./policy-cache.js";
import { parseTemplate, type KeyType } from "../template.js";
import { templateScanner } from "../../registry/scan/template-scanner.js";
import { baseDataId, variantLocation, type MapperDataId } from "./variants.js";

export type { BypassHook, CameraMapperClass, CameraMapperOptions, MapHook, QueryHook, StdHook } from "./camera-mapper-types.js";

/**
 * Maps dataset types to storage keys from a policy, completing data ids through the registries.
 *
 * ```ts
 * const mapper = await TestCamMapper.create({ registry, calibRegistry });
 * (await mapper.map("calexp", { visit: 1, ccd: 3 })).locations;  // ["calexp/v1_fg_c03.fits"], filter from the registry
 * (await mapper.map("flat", { visit: 1, ccd: 3 })).locations;    // the flat valid at visit 1's taiObs
 * (await mapper.map("calexp_sub", { visit: 1, ccd: 3, bbox: makeBox2I(0, 0, 16, 16) })).additionalData;  // llcX, llcY, width, height
 * await mapper.queryMetadata("raw", ["visit", "ccd"], { filter: "g" });  // [[1, 0], [1, 1], …]
 * ```
 *
 * Besides the policy's types it synthesises variants (`<type>_filename`, `_md`, `_sub`, `_bbox`,
 * `_wcs`, `_visitInfo`, `_filter`, `_len`, `_schema`; see `variants.ts`), resolves
 * `<composite>.<component>` names, and builds composites. Subclasses add per-type behaviour with
 * methods named `map_<type>` ({@link MapHook}), `query_<type>` ({@link QueryHook}), `std_<type>`
 * ({@link StdHook}, applied by {@link CameraMapper.standardize}) and `bypass_<type>`
 * ({@link BypassHook}, set as the location's `bypass`; a `bypass_<base>_<name>` with a known base
 * type also defines the type `<base>_<name>`). Hooks may return a value or a promise of one.
 */
export class CameraMapper implements Mapper {
  readonly #policy: MapperPolicy;
  readonly #registry: Registry | undefined;
  readonly #calibRegistry: TableRegistry | undefined;
  readonly #name: string;

  /**
   * @param options - the policy, the registries and the mapper's registered name
   * @throws PolicyError when a composite names a component type the mapper does not know, or an
   *   assembler/disassembler that is not a method of the mapper
   */
  constructor(options: CameraMapperOptions) {
    this.#policy = options.policy;
    this.#registry = options.registry;
    this.#calibRegistry = options.calibRegistry;
    this.#name = options.name ?? options.policy.camera ?? "camera";
    checkComposites(this, this.#policy);
  }

  /**
   * Makes a camera's mapper: loads the class's `policyUrl` once per process, overlays the
   * repository's `policyOverride`, constructs the class, and prepares a registry that needs it
   * (PosixRegistry lists the files of the policy's templates). A camera subclass needs only
   * `static readonly policyUrl = new URL("./policy.yaml", import.meta.url)` (and `mapperName`).
   *
   * ```ts
   * const mapper = await TestCamMapper.create({ registry, calibRegistry, policyOverride: cfg.policy });
   * ```
   * @throws PolicyError when the class has no `policyUrl`, or the policy or override is invalid
   * @throws StorageError when a PosixRegistry cannot list the repository
   */
  static async create<M extends CameraMapper>(this: CameraMapperClass<M>, options: MapperCreateOptions = {}): Promise<M> {
    if (this.policyUrl === undefined) {
      throw new PolicyError(`${this.name} has no static policyUrl: a camera mapper names its policy file, e.g. new URL("./policy.yaml", import.meta.url)`);
    }
    const base = await loadPolicyOnce(this.policyUrl);
    const policy = options.policyOverride === undefined ? base : mergePolicy(base, options.policyOverride, "repository policy");
    const mapper = new this({ policy, registry: options.registry, calibRegistry: options.calibRegistry, name: this.mapperName });
    await mapper.prepareRegistry();
    return mapper;
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
  get calibRegistry(): TableRegistry | undefined {
    return this.#calibRegistry;
  }

  /** The templates of every non-calibration dataset type: what a file-name registry must list. */
  getTemplates(): string[] {
    const templates = [...this.#policy.datasets.values()].filter((d) => d.section !== "calibrations" && d.template !== undefined);
    return [...new Set(templates.map((d) => d.template!))];
  }

  /**
   * Lets a scanning registry list the files of {@link CameraMapper.getTemplates}; a no-op for a
   * table registry. {@link CameraMapper.create} calls it.
   * @throws StorageError when the listing fails
   */
  async prepareRegistry(): Promise<void> {
    if (this.#registry?.kind === "template") await this.#registry.prepare(this.getTemplates());
  }

  /**
   * Every dataset type: the policy's, then those only hooks define (sorted), then the variants of
   * each in policy order.
   */
  getDatasetTypes(): string[] {
    return listDatasetTypes(this, this.#policy, CameraMapper.prototype);
  }

  /**
   * The composite spec of a policy composite, else undefined. No mapping, so no registry query.
   * @throws UnknownDatasetTypeError
   */
  getComposite(datasetType: string): CompositeSpec | undefined {
    const resolved = this.#resolve(datasetType);
    if (resolved === undefined) throw this.#unknown(datasetType);
    if (resolved.kind !== "policy" || resolved.dataset.composite === undefined) return undefined;
    return compositeSpec(this, resolved.dataset, resolved.dataset.composite);
  }

  /** Whether a type's policy entry says `writeOnce: true`. @throws UnknownDatasetTypeError */
  isWriteOnce(datasetType: string): boolean {
    const resolved = this.#resolve(datasetType);
    if (resolved === undefined) throw this.#unknown(datasetType);
    // a type only a map_ hook defines has no policy entry to say so
    return resolved.kind === "hook" ? false : this.getDatasetPolicy(datasetType).extra.writeOnce === true;
  }

  /** The template's keys of a type (its base's, for a derived type), or undefined without a template. @throws UnknownDatasetTypeError */
  identityKeys(datasetType: string): string[] | undefined {
    const template = this.getDatasetPolicy(datasetType).template;
    return template === undefined ? undefined : [...parseTemplate(template).keys.keys()];
  }

  /**
   * The keys of a level a registry can enumerate for a type: a table registry's columns, a
   * scanning registry's template keys; none for a type without registry tables.
   * @throws UnknownDatasetTypeError
   */
  enumerableKeys(datasetType: string, level: string | undefined): string[] {
    const registry = this.#registry;
    const keys = Object.keys(this.getKeys(datasetType, level));
    if (registry === undefined || this.getDatasetPolicy(datasetType).tables.length === 0) return [];
    if (registry.kind === "template") return keys;
    const columns = new Set(registry.tables().flatMap((t) => registry.columns(t)));
    return keys.filter((k) => columns.has(k));
  }

  /** The policy's `ingest` section with its dataset type's template and storage, if it has one. */
  ingestRules(): IngestRules | undefined {
    const ingest = this.#policy.ingest;
    if (ingest === undefined) return undefined;
    const dataset = this.getDatasetPolicy(ingest.datasetType);
    return { ...ingest, template: dataset.template!, storageName: dataset.storage };
  }

  /**
   * The dataset type and data id a stored key was written for: the first policy type (in policy
   * order) whose template parses it; a compressed copy (`.gz`, `.fz`) counts as what it compresses.
   */
  datasetOfKey(key: string): { datasetType: string; dataId: DataId } | undefined {
    for (const dataset of this.#policy.datasets.values()) {
      if (dataset.template === undefined) continue;
      const scanner = templateScanner(dataset.template);
      const dataId = scanner.parse(key) ?? (/\.(gz|fz)$/.test(key) ? scanner.parse(key.replace(/\.(gz|fz)$/, "")) : undefined);
      if (dataId !== undefined) return { datasetType: dataset.name, dataId };
    }
    return undefined;
  }

  /**
   * The policy entry of a dataset type. For a derived type it is the entry it derives from: a
   * variant's or bypass type's base, a `composite.component`'s component type.
   * @throws UnknownDatasetTypeError listing close names (also for a type only a `map_` hook defines)
   */
  getDatasetPolicy(datasetType: string): DatasetPolicy {
    const resolved = this.#resolve(datasetType);
    if (resolved?.kind === "policy") return resolved.dataset;
    if ((resolved?.kind === "variant" || resolved?.kind === "bypass") && resolved.basePolicy !== undefined) return resolved.basePolicy;
    if (resolved?.kind === "component") return this.getDatasetPolicy(resolved.datasetType);
    throw this.#unknown(datasetType);
  }

  /**
   * The data-id keys of a dataset type and their types: the template's keys plus the columns of its
   * registry tables (template types win); a derived type has its base's keys. Without a type, the
   * union over all policy types. At a `level` named in the policy's `levels`, the keys below that
   * level are left out (Gen2 `getKeys`).
   * @throws UnknownDatasetTypeError
   */
  getKeys(datasetType?: string, level?: string): Record<string, KeyType> {
    const types = datasetType === undefined ? [...this.#policy.datasets.values()] : [this.getDatasetPolicy(datasetType)];
    return keysAtLevel(types, this.#context(), this.#policy.levels, level);
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
   * are looked up in the registry (a calibration's: by validity at the exposure's observation time)
   * and must have exactly one value. `<type>_sub` also takes `bbox` (a `Box2I`) and `imageOrigin`
   * (`"PARENT"`, the default, or `"LOCAL"`) in the data id.
   * @throws UnknownDatasetTypeError listing close names
   * @throws DataIdError for a wrongly typed value, a key that cannot be looked up, a lookup with no
   *   or several rows (listing the candidates), a value that would escape the repository root, a
   *   `_sub` without a valid `bbox`, or a calibration valid at no (or several) candidate dates
   * @throws PolicyError for a type with no template, or `write` on a read-only type (a variant or
   *   a bypass-only type)
   * @throws RegistryError when the policy names a table the registry lacks
   */
  async map(datasetType: string, dataId: MapperDataId, options: MapOptions = {}): Promise<ButlerLocation> {
    const hook = findHook<MapHook>(this, "map_", datasetType);
    const location =
      hook !== undefined ? { ...(await hook.call(this, dataId as Readonly<DataId>, options)) } : await this.#mapResolved(datasetType, dataId, options);
    const bypass = findHook<BypassHook>(this, "bypass_", datasetType);
    // a bypass replaces the read only: a put of the type still writes its file
    if (bypass !== undefined && !options.write) location.bypass = (ctx) => bypass.call(this, ctx);
    return location;
  }

  /**
   * What the Butler calls after every read: the subclass's `std_<type>` hook applied to the item,
   * else the item itself. A `_sub` variant is standardized by its base's hook (it is the same kind
   * of object, as in Gen2).
   *
   * ```ts
   * class MyMapper extends CameraMapper {
   *   std_raw(item: Exposure, dataId: DataId) { item.metadata.set("FILTER", dataId.filter); return item; }
   * }
   * ```
   * @throws whatever the hook throws
   */
  async standardize(datasetType: string, item: unknown, dataId: Readonly<DataId>): Promise<unknown> {
    let hook = findHook<StdHook>(this, "std_", datasetType);
    if (hook === undefined) {
      const resolved = this.#resolve(datasetType);
      if (resolved?.kind === "variant" && resolved.spec.standardizedAsBase) hook = findHook<StdHook>(this, "std_", resolved.base);
    }
    return hook === undefined ? item : hook.call(this, item, dataId);
  }

  /**
   * Distinct values of the `format` keys among the registry rows matching the data id: a list of
   * values for one key, a list of tuples for several (as Gen2), sorted. A derived type queries its
   * base. A calibration is queried in the calibration registry, at the exposure's observation
   * time when the data id determines it, else over every validity range.
   * @throws UnknownDatasetTypeError
   * @throws DataIdError for an empty format, or a key that is not a registry column
   * @throws PolicyError for a type without registry tables
   * @throws RegistryError when there is no registry
   */
  async queryMetadata(datasetType: string, format: readonly string[], dataId: Readonly<DataId> = {}): Promise<Array<DataIdValue | DataIdValue[]>> {
    const hook = findHook<QueryHook>(this, "query_", datasetType);
    if (hook !== undefined) return hook.call(this, format, dataId);
    const resolved = this.#resolve(datasetType);
    if (resolved !== undefined && resolved.kind !== "policy" && resolved.kind !== "hook") {
      return this.queryMetadata(resolved.kind === "component" ? resolved.datasetType : resolved.base, format, dataId);
    }
    const dataset = this.getDatasetPolicy(datasetType);
    return queryDataset(datasetType, dataset, format, dataId, { ...this.#context(), policySource: this.#policy.source });
  }

  /**
   * The policy-driven mapping behind {@link CameraMapper.map}, for `map_<type>` hooks to build on.
   * @throws as {@link CameraMapper.map}
   */
  protected mapDataset(dataset: DatasetPolicy, dataId: MapperDataId): Promise<ButlerLocation> {
    return datasetLocation(this, dataset, dataId, this.#context());
  }

  /** {@link CameraMapper.map} for a type without a `map_` hook; derived types map their base through `this.map`, so subclass hooks apply. */
  async #mapResolved(datasetType: string, dataId: MapperDataId, options: MapOptions): Promise<ButlerLocation> {
    const resolved = this.#resolve(datasetType);
    switch (resolved?.kind) {
      case "policy":
        return this.mapDataset(resolved.dataset, dataId);
      case "component":
        return this.map(resolved.datasetType, dataId, options);
      case "variant": {
        if (options.write) throw readOnlyError(datasetType, resolved.base);
        const base = await this.map(resolved.base, baseDataId(dataId, resolved.spec));
        return variantLocation(datasetType, resolved.spec, base, resolved.basePolicy, dataId);
      }
      case "bypass": {
        if (options.write) throw readOnlyError(datasetType, resolved.base);
        const { bypass: _b, composite: _c, ...base } = await this.map(resolved.base, dataId);
        return { ...base, datasetType, pythonType: "object" };
      }
      default:
        throw this.#unknown(datasetType);
    }
  }

  #resolve(datasetType: string): ResolvedName | undefined {
    return resolveDatasetType(this, this.#policy, datasetType);
  }

  /** Close names come from `this.getDatasetTypes()`, so a subclass that overrides it is honoured. */
  #unknown(datasetType: string): UnknownDatasetTypeError {
    return new UnknownDatasetTypeError(datasetType, closeNames(datasetType, this.getDatasetTypes()));
  }

  /** What the per-entry helpers read: the registries, and the name for their messages. */
  #context(): NeedContext {
    return { registry: this.#registry, calibRegistry: this.#calibRegistry, mapperName: this.#name };
  }
}

/**
 * The Mapper contract: what the Repository and the Butler ask of a camera's mapper. `CameraMapper`
 * implements it from a YAML policy; a mapper of another design may implement it directly and be
 * registered by name (`registerMapper`) with no change to the layers above.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../data-id.js";
import type { KeyType } from "../template.js";
import type { ButlerLocation, CompositeSpec } from "./butler-location.js";
import type { MapperDataId } from "./variants.js";

/** Options of {@link Mapper.map}. */
export interface MapOptions {
  /** Mapping for a put rather than a get: variants and bypass-only types refuse it. */
  write?: boolean;
}

/**
 * How a camera's raw files are ingested: the dataset type they become and the registry rows read
 * from their metadata (the policy's `ingest` section).
 */
export interface IngestRules {
  /** The dataset type the files are stored as. */
  datasetType: string;
  /** Its template (which keys name a file). */
  template: string;
  /** Its storage name: the formatter that checks a file and reads its metadata. */
  storageName: string;
  /** The registry table of one row per file; `<table>_visit` holds one per visit when `visitTable`. */
  table: string;
  /** Registry column (a data id key) → metadata keyword. */
  columns: Readonly<Record<string, string>>;
  /** The columns that name one row; default `visit` and `ccd`, those present. */
  unique?: readonly string[];
  visitTable: boolean;
  /** Columns of the per-visit table; default every column but the per-detector ones. */
  visitColumns?: readonly string[];
}

/** Turns dataset types and data ids into locations, and answers questions about the types. */
export interface Mapper {
  /** The registered mapper name, e.g. `testcam`. */
  readonly name: string;

  /**
   * Where a dataset lives and how to read or write it; keys the data id lacks are looked up in the
   * registry.
   * @throws UnknownDatasetTypeError, DataIdError, PolicyError, RegistryError
   */
  map(datasetType: string, dataId: MapperDataId, options?: MapOptions): Promise<ButlerLocation>;

  /**
   * What a read returns after the camera's standardization (Gen2 `std_<type>`).
   * @throws whatever the camera's hook throws
   */
  standardize(datasetType: string, item: unknown, dataId: Readonly<DataId>): Promise<unknown>;

  /**
   * Distinct registry values of `format` for the data ids matching a partial one: a list of values
   * for one key, a list of tuples for several, sorted.
   * @throws UnknownDatasetTypeError, DataIdError, PolicyError, RegistryError
   */
  queryMetadata(datasetType: string, format: readonly string[], dataId?: Readonly<DataId>): Promise<Array<DataIdValue | DataIdValue[]>>;

  /**
   * Data-id keys of a type (or of all types) and their types; with a level, the keys at and above it.
   * @throws UnknownDatasetTypeError
   */
  getKeys(datasetType?: string, level?: string): Record<string, KeyType>;

  /** Every dataset type, with the variants the mapper synthesises. */
  getDatasetTypes(): string[];

  /** The default level of `subset` (e.g. `sensor`), if the camera names one. */
  getDefaultLevel(): string | undefined;

  /** The default sub-level of a level (`visit` → `ccd`), if the camera names one. */
  getDefaultSubLevel(level: string): string | undefined;

  /**
   * How a composite type is assembled from components, or undefined for a type that is not one.
   * @throws UnknownDatasetTypeError
   */
  getComposite(datasetType: string): CompositeSpec | undefined;

  /**
   * Whether a type is write-once (a rewrite must be identical; policy `writeOnce: true`).
   * @throws UnknownDatasetTypeError
   */
  isWriteOnce(datasetType: string): boolean;

  /**
   * The keys that name one stored dataset of a type (its template's keys), or undefined when the
   * type has no template: two data ids that agree on them are the same dataset.
   * @throws UnknownDatasetTypeError
   */
  identityKeys(datasetType: string): string[] | undefined;

  /**
   * The keys of a level that the registry can enumerate for a type (what `subset` asks
   * {@link Mapper.queryMetadata} for); empty when the type has no registry rows.
   * @throws UnknownDatasetTypeError
   */
  enumerableKeys(datasetType: string, level: string | undefined): string[];

  /**
   * The dataset type and data id a stored key was written for (by the policy's templates, in
   * policy order), or undefined for a key no template makes — what `fsck` needs to re-register an
   * object that has no record. Optional: a mapper without it gets orphans reported, not re-registered.
   */
  datasetOfKey?(key: string): { datasetType: string; dataId: DataId } | undefined;

  /**
   * How raw files are ingested into a repository of this camera, or undefined when it does not
   * say. Optional: a mapper without it cannot ingest.
   */
  ingestRules?(): IngestRules | undefined;
}

/**
 * Data references: a data id bound to a Butler (Gen2 `ButlerDataRef`), and the set of them a
 * `butler.subset()` returns (Gen2 `ButlerSubset`).
 *
 * @packageDocumentation
 */
import { DataIdError } from "../errors.js";
import type { DataIdValue } from "../data-id.js";
import type { Butler, DataIdInput } from "./butler.js";

/**
 * One data id of a subset, with the Butler calls bound to it.
 *
 * ```ts
 * for (const ref of await butler.subset("raw", "visit", { filter: "g" })) {
 *   const raw = await ref.get();          // the subset's dataset type
 *   await ref.put(process(raw), "calexp");
 * }
 * ```
 */
export class ButlerDataRef {
  /**
   * @param butler - the Butler it reads and writes through
   * @param datasetType - the default dataset type (the subset's)
   * @param level - the subset's level
   * @param dataId - the full data id of this reference
   */
  constructor(
    readonly butler: Butler,
    readonly datasetType: string,
    readonly level: string | undefined,
    readonly dataId: Readonly<Record<string, DataIdValue>>,
  ) {}

  /** Reads a dataset of this data id (the subset's type by default). */
  get<T = unknown>(datasetType: string = this.datasetType): Promise<T> {
    return this.butler.get<T>(datasetType, this.dataId);
  }

  /** Writes a dataset of this data id (the subset's type by default). */
  put(obj: unknown, datasetType: string = this.datasetType, options: { doBackup?: boolean } = {}): Promise<void> {
    return this.butler.put(obj, datasetType, this.dataId, options);
  }

  /** Whether a dataset of this data id exists. */
  datasetExists(datasetType: string = this.datasetType, options: { write?: boolean } = {}): Promise<boolean> {
    return this.butler.datasetExists(datasetType, this.dataId, options);
  }

  /** The URI of a dataset of this data id. */
  getUri(datasetType: string = this.datasetType, options: { write?: boolean } = {}): Promise<string> {
    return this.butler.getUri(datasetType, this.dataId, options);
  }

  /**
   * The references one level down (Gen2 `subItems`): the mapper's default sub-level of this
   * reference's level unless one is given.
   * @throws DataIdError when the mapper defines no level below
   */
  subItems(level?: string, datasetType: string = this.datasetType): Promise<ButlerSubset> {
    const sub = level ?? (this.level === undefined ? undefined : this.butler.getDefaultSubLevel(this.level));
    if (sub === undefined) throw new DataIdError(`no level below "${this.level}" is defined by the mapper; name one`);
    return this.butler.subset(datasetType, sub, this.dataId);
  }
}

/**
 * The data references of a dataset type at a level that match a partial data id, in registry
 * order. Iterable; `length` tells how many.
 */
export class ButlerSubset implements Iterable<ButlerDataRef> {
  /** The references. */
  readonly refs: readonly ButlerDataRef[];

  /**
   * @param datasetType - the dataset type
   * @param level - the level (undefined: the mapper's default)
   * @param dataId - the partial data id it was made from
   * @param refs - the references
   */
  constructor(
    readonly datasetType: string,
    readonly level: string | undefined,
    readonly dataId: DataIdInput,
    refs: ButlerDataRef[],
  ) {
    this.refs = refs;
  }

  /** Number of references. */
  get length(): number {
    return this.refs.length;
  }

  [Symbol.iterator](): Iterator<ButlerDataRef> {
    return this.refs[Symbol.iterator]();
  }
}

/**
 * The Butler: the user API. Pipeline code asks for a dataset by type and data id and never sees a
 * path, a storage, a format or a temp file.
 *
 * @packageDocumentation
 */
import { ClosedError, ConfigError, DataIdError, DatasetNotFoundError } from "../errors.js";
import type { DataId, DataIdValue } from "../data-id.js";
import { TempScope } from "../temp/index.js";
import { formatterFor } from "../formatters/index.js";
import type { ButlerLocation } from "../mapper/index.js";
import type { Repository } from "../repository/index.js";
import { openRepositoryGraph, type RepositoryGraph, type RepositorySpec } from "./repository-graph.js";
import "../storage/builtin.js";
import "../../mappers/index.js";

/** Arguments of {@link Butler.create}. */
export interface ButlerOptions {
  /** Repositories to read from (path, URI or arguments), in lookup order. */
  inputs?: RepositorySpec | RepositorySpec[];
  /** Repositories to write to; an output with mode `rw` is also read from, first. */
  outputs?: RepositorySpec | RepositorySpec[];
}

/** A data id as given by callers: values are validated before use. */
export type DataIdInput = Readonly<Record<string, DataIdValue>>;

/**
 * Reads and writes datasets by type and data id across a chain of repositories.
 *
 * ```ts
 * const butler = await Butler.create({
 *   inputs: "data/testcam-repo",
 *   outputs: { root: "/scratch/rerun", mode: "rw" },
 * });
 * const raw = await butler.get<Exposure>("raw", { visit: 1, ccd: 0 }); // filter from the registry
 * await butler.put(raw, "calexp", { visit: 1, ccd: 0 });
 * await butler.close();
 * ```
 */
export class Butler {
  readonly #graph: RepositoryGraph;
  readonly #tempScope: TempScope;
  #closed = false;

  private constructor(graph: RepositoryGraph, tempScope: TempScope) {
    this.#graph = graph;
    this.#tempScope = tempScope;
  }

  /**
   * Opens the inputs, creates or reopens the outputs (recording the inputs as their parents).
   * @throws ConfigError for a missing input, a bad mode, no usable mapper, or mismatching parents
   */
  static async create(options: ButlerOptions): Promise<Butler> {
    const tempScope = new TempScope();
    try {
      return new Butler(await openRepositoryGraph(options.inputs, options.outputs, tempScope), tempScope);
    } catch (err) {
      await tempScope.close();
      throw err;
    }
  }

  /** Root URIs searched by `get`, in order. */
  get searchPath(): string[] {
    return this.#graph.readOrder.map((r) => r.root);
  }

  /** Root URIs written by `put`. */
  get outputRoots(): string[] {
    return this.#graph.outputs.map((r) => r.root);
  }

  /**
   * Reads a dataset: the first repository in the search path that has it wins.
   * @throws UnknownDatasetTypeError, DataIdError, DatasetNotFoundError, FitsError, FormatterError
   */
  async get<T = unknown>(datasetType: string, dataId: DataIdInput = {}): Promise<T> {
    const found = await this.#locate(datasetType, dataId, this.#readable());
    if (found === undefined) throw new DatasetNotFoundError(datasetType, dataId, this.searchPath);
    const { repo, location, key } = found;
    return (await formatterFor(location.storageName).read({ storage: repo.storage, key, location })) as T;
  }

  /**
   * Writes a dataset to every output repository, atomically in each.
   * @throws ConfigError when there is no output; UnknownDatasetTypeError, DataIdError, FormatterError
   */
  async put(obj: unknown, datasetType: string, dataId: DataIdInput = {}): Promise<void> {
    const outputs = this.#writable();
    for (const repo of outputs) {
      const location = repo.mapper.map(datasetType, checkDataId(dataId), { write: true });
      const key = location.locations[0]!;
      await formatterFor(location.storageName).write(obj, { storage: repo.storage, key, location });
    }
  }

  /**
   * Whether a dataset exists: in the search path, or with `write` only in the outputs.
   * @throws UnknownDatasetTypeError, DataIdError
   */
  async datasetExists(datasetType: string, dataId: DataIdInput = {}, options: { write?: boolean } = {}): Promise<boolean> {
    const repos = options.write ? this.#writable() : this.#readable();
    return (await this.#locate(datasetType, dataId, repos)) !== undefined;
  }

  /**
   * Values of registry keys for the data ids matching a partial one: a list of values for one key,
   * a list of tuples for several. The first repository with a non-empty answer wins.
   *
   * ```ts
   * await butler.queryMetadata("raw", ["visit", "filter"], { ccd: 0 });  // [[1, "g"], [2, "g"], …]
   * ```
   * @throws UnknownDatasetTypeError, RegistryError
   */
  async queryMetadata(
    datasetType: string,
    format: string | readonly string[],
    dataId: DataIdInput = {},
  ): Promise<Array<DataIdValue | DataIdValue[]>> {
    const keys = typeof format === "string" ? [format] : [...format];
    for (const repo of this.#readable()) {
      const rows = repo.mapper.queryMetadata(datasetType, keys, checkDataId(dataId));
      if (rows.length > 0) return rows;
    }
    return [];
  }

  /**
   * The URI of a dataset: where it is found in the search path, or with `write` where a put would
   * write it in the first output. For debugging and hand-offs; `get` is the normal way to read.
   * @throws DatasetNotFoundError when reading and no repository has it
   */
  async getUri(datasetType: string, dataId: DataIdInput = {}, options: { write?: boolean } = {}): Promise<string> {
    if (options.write) {
      const repo = this.#writable()[0]!;
      return repo.storage.uriOf(repo.mapper.map(datasetType, checkDataId(dataId), { write: true }).locations[0]!);
    }
    const found = await this.#locate(datasetType, dataId, this.#readable());
    if (found === undefined) throw new DatasetNotFoundError(datasetType, dataId, this.searchPath);
    return found.repo.storage.uriOf(found.key);
  }

  /**
   * Data id keys of a dataset type and their value types (`int`, `float`, `str`).
   * @throws UnknownDatasetTypeError
   */
  getKeys(datasetType: string, level?: string): Record<string, "int" | "float" | "str"> {
    return this.#anyRepo().mapper.getKeys(datasetType, level);
  }

  /** Every dataset type the mapper defines, sorted. */
  getDatasetTypes(): string[] {
    return [...this.#anyRepo().mapper.getDatasetTypes()].sort();
  }

  /** Closes every repository and registry and deletes every temp file this Butler made. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const results = await Promise.allSettled(this.#graph.all.map((r) => r.close()));
    await this.#tempScope.close();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** `await using butler = await Butler.create(…)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #open(): void {
    if (this.#closed) throw new ClosedError("this Butler");
  }

  #readable(): Repository[] {
    this.#open();
    return this.#graph.readOrder;
  }

  #writable(): Repository[] {
    this.#open();
    const outputs = this.#graph.outputs;
    if (outputs.length === 0) throw new ConfigError("this Butler has no output repository to write to; pass `outputs` to Butler.create");
    return outputs;
  }

  #anyRepo(): Repository {
    this.#open();
    return this.#graph.outputs[0] ?? this.#graph.readOrder[0]!;
  }

  async #locate(
    datasetType: string,
    dataId: DataIdInput,
    repos: Repository[],
  ): Promise<{ repo: Repository; location: ButlerLocation; key: string } | undefined> {
    const id = checkDataId(dataId);
    for (const repo of repos) {
      const location = repo.mapper.map(datasetType, id);
      for (const key of location.locations) {
        if (await repo.storage.exists(key)) return { repo, location, key };
      }
    }
    return undefined;
  }
}

/** Rejects data ids that are not flat records of strings and finite numbers. */
function checkDataId(dataId: DataIdInput): DataId {
  if (dataId === null || typeof dataId !== "object" || Array.isArray(dataId)) {
    throw new DataIdError(`a data id must be an object like { visit: 1, ccd: 0 }, got ${JSON.stringify(dataId)}`);
  }
  for (const [key, value] of Object.entries(dataId)) {
    const ok = typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
    if (!ok) throw new DataIdError(`data id key "${key}" must be a string or a finite number, got ${String(value)}`, key);
  }
  return { ...dataId };
}

/**
 * The Butler: the user API. Pipeline code asks for a dataset by type and data id and never sees a
 * path, a storage, a format or a temp file.
 *
 * @packageDocumentation
 */
import { createWriteStream } from "node:fs";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ClosedError, ConfigError, DataIdError, DatasetNotFoundError, NotFoundError, UsageError } from "../errors.js";
export type { DataIdInput } from "./data-id-input.js";
import type { DataId, DataIdValue } from "../data-id.js";
import { TempScope } from "../temp/index.js";
import type {
  DatasetHandle,
  IngestOptions,
  IngestOutcome,
  RegistryBuildReport,
  Repository,
  RepositoryDescription,
  StoredDataset,
  StorletResult,
  StorletSpec,
} from "../repository/index.js";
import { checkDataId, plainDataId, type DataIdInput } from "./data-id-input.js";
import { subsetDataIds } from "./subset-ids.js";
import { openRepositoryGraph, type RepositoryGraph, type RepositorySpec } from "./repository-graph.js";
import { DatasetTypeAliases } from "./aliases.js";
import { ReadProxy } from "./read-proxy.js";
import { ButlerDataRef, ButlerSubset } from "./data-ref.js";

/** Arguments of {@link Butler.create}. */
export interface ButlerOptions {
  /** Repositories to read from (path, URI or arguments), in lookup order. */
  inputs?: RepositorySpec | RepositorySpec[];
  /** Repositories to write to; an output with mode `rw` is also read from, first. */
  outputs?: RepositorySpec | RepositorySpec[];
}

/** Options shared by the reading calls. */
export interface SearchOptions {
  /** Only search repositories carrying one of these tags (Gen2 `DataId(tag=…)`). */
  tags?: string | readonly string[];
}

/** Options of {@link Butler.get}. */
export interface GetOptions extends SearchOptions {
  /** `false`: find the dataset now, read it on first use (a {@link ReadProxy}). Default true. */
  immediate?: boolean;
  /**
   * Read the dataset through a storlet instead (a cutout, a header, a thumbnail, catalog columns):
   * it runs where the data is when the repository's storage can (Swift behind skybutler's storlet
   * gateway, a skybutler server), locally otherwise, with the same result — a {@link StorletResult}.
   */
  storlet?: StorletSpec;
}

/** Options of {@link Butler.put}. */
export interface PutOptions {
  /** Keep an existing dataset as `<file>~1`, `~2`, … (numbered in order of creation). */
  doBackup?: boolean;
}

/** Bytes to store as a dataset: a local file's path (left in place), or a stream. */
export type StoredBytes = string | Readable | AsyncIterable<Uint8Array>;

/** What became of one file of {@link Butler.ingest}: its outcome, or the error that refused it. */
export type IngestResult = { file: string; outcome: IngestOutcome; error?: undefined } | { file: string; outcome?: undefined; error: unknown };

/** Options of {@link Butler.ingest}. */
export interface IngestFilesOptions extends IngestOptions {
  /** Told about each file as it is done (the others go on after a failure). */
  onFile?(result: IngestResult): void;
}

/** A dataset a repository of the search path located. */
interface Found {
  repo: Repository;
  handle: DatasetHandle;
}

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
  readonly #aliases = new DatasetTypeAliases();
  #closed = false;

  private constructor(graph: RepositoryGraph, tempScope: TempScope) {
    this.#graph = graph;
    this.#tempScope = tempScope;
  }

  /**
   * Opens the inputs, creates or reopens the outputs (recording the inputs as their parents).
   * With only an output given, its recorded parents become the inputs.
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
   * Defines `@alias` for a dataset type; `@alias` may then stand anywhere in a type name
   * (`@goodSeeing_md`). Gen2's rules: `@` only first, no alias a prefix of another.
   * @throws ConfigError for a malformed or ambiguous alias
   */
  defineAlias(alias: string, datasetType: string): void {
    this.#aliases.define(alias, datasetType);
  }

  /**
   * Reads a dataset: the first repository in the search path that has it wins. The mapper's
   * `std_<type>` hook standardizes what was read.
   * @throws UnknownDatasetTypeError, DataIdError, DatasetNotFoundError, FitsError, FormatterError
   */
  get(datasetType: string, dataId: DataIdInput, options: GetOptions & { storlet: StorletSpec }): Promise<StorletResult>;
  get<T = unknown>(datasetType: string, dataId?: DataIdInput, options?: GetOptions & { immediate?: true }): Promise<T>;
  get<T = unknown>(datasetType: string, dataId: DataIdInput, options: GetOptions & { immediate: false }): Promise<ReadProxy<T>>;
  async get<T = unknown>(datasetType: string, dataId: DataIdInput = {}, options: GetOptions = {}): Promise<T | ReadProxy<T>> {
    const type = this.#resolve(datasetType);
    const id = checkDataId(dataId);
    if (options.storlet !== undefined) {
      const found = await this.#locate(type, id, this.#readable(options), false);
      if (found === undefined) throw new DatasetNotFoundError(type, id, this.#readable(options).map((r) => r.root));
      return (await found.repo.readThroughStorlet(found.handle, options.storlet)) as T;
    }
    const composite = this.#firstRepo(options).mapper.getComposite(type);
    if (composite !== undefined) {
      const read = async () => {
        const parts: Record<string, unknown> = {};
        for (const [name, component] of Object.entries(composite.components)) {
          parts[name] = await this.get(component.datasetType, id, { tags: options.tags });
        }
        return composite.assemble(parts, id) as T;
      };
      return options.immediate === false ? new ReadProxy(type, id, read) : read();
    }
    const repos = this.#readable(options);
    if (options.immediate === false) {
      const found = await this.#locate(type, id, repos, true);
      if (found === undefined) throw new DatasetNotFoundError(type, id, repos.map((r) => r.root));
      return new ReadProxy(type, found.handle.location.dataId, async () => (await found.repo.read(found.handle)) as T);
    }
    // the same search order as #locate, each repository reading in one step where it can
    let computed: Found | undefined;
    for (const repo of repos) {
      const outcome = await repo.readIfStored(type, id);
      if (outcome?.stored) return outcome.value as T;
      if (outcome !== undefined && computed === undefined) computed = { repo, handle: outcome.handle };
    }
    const value = computed === undefined ? undefined : await readComputed(computed);
    if (value === undefined) throw new DatasetNotFoundError(type, id, repos.map((r) => r.root));
    return value.value as T;
  }

  /**
   * Writes a dataset to every output repository, atomically in each, and records it there.
   * A composite is taken apart and each component that is not `inputOnly` is put.
   * @throws ConfigError when there is no output; UnknownDatasetTypeError, DataIdError,
   *   FormatterError, DatasetConflictError (a write-once dataset with different content)
   */
  async put(obj: unknown, datasetType: string, dataId: DataIdInput = {}, options: PutOptions = {}): Promise<void> {
    const type = this.#resolve(datasetType);
    const id = checkDataId(dataId);
    const outputs = this.#writable();
    const composite = outputs[0]!.mapper.getComposite(type);
    if (composite !== undefined) {
      const parts = composite.disassemble(obj, id);
      for (const [name, component] of Object.entries(composite.components)) {
        if (!component.inputOnly) await this.put(parts[name], component.datasetType, id, options);
      }
      return;
    }
    for (const repo of outputs) await repo.write(obj, type, id, options);
  }

  /**
   * The stored bytes of a dataset, found like {@link Butler.get} finds it (outputs read first, then
   * inputs and their parents): what they are and a stream of them, nothing read yet.
   *
   * ```ts
   * const stored = await butler.openStored("raw", { visit: 1, ccd: 0 });
   * await pipeline(await stored.open(), createWriteStream(stored.name));  // v1_fg_c00.fits
   * ```
   * @throws UnknownDatasetTypeError, DataIdError, DatasetNotFoundError; UsageError for a composite, a
   *   read-only view (`_md`, `_sub` …) or a value computed on read, which have no bytes of their own
   */
  async openStored(datasetType: string, dataId: DataIdInput = {}, options: SearchOptions = {}): Promise<StoredDataset> {
    const type = this.#resolve(datasetType);
    const id = checkDataId(dataId);
    this.#refuseComposite(type, options);
    const found = await this.#locate(type, id, this.#readable(options), false);
    if (found === undefined) throw new DatasetNotFoundError(type, id, this.#readable(options).map((r) => r.root));
    return found.repo.openStored(found.handle);
  }

  /**
   * Stores bytes as a dataset in every output, each time only after the dataset's formatter checked
   * them (a FITS dataset must parse as FITS; a JSON one as JSON): a put for bytes made elsewhere. As
   * atomic as {@link Butler.put}; bytes that fail the check are stored nowhere.
   *
   * ```ts
   * await butler.putStored("calexp-1-0.fits", "calexp", { visit: 1, ccd: 0 });
   * ```
   * @returns the data id completed by the registry
   * @throws ConfigError without an output; UsageError for a composite or a read-only type;
   *   FitsError or FormatterError when the bytes fail the check; UnsupportedOperationError for a
   *   storage name whose formatter cannot check bytes; DataIdError, DatasetConflictError, StorageError
   */
  async putStored(source: StoredBytes, datasetType: string, dataId: DataIdInput = {}, options: PutOptions = {}): Promise<Readonly<DataId>> {
    const type = this.#resolve(datasetType);
    const id = checkDataId(dataId);
    const outputs = this.#writable();
    this.#refuseComposite(type, {});
    if (typeof source === "string" || outputs.length === 1) {
      let completed: Readonly<DataId> = {};
      for (const repo of outputs) completed = await repo.writeStored(source, type, id, options);
      return completed;
    }
    // a stream is read once: several outputs take it from a temp copy
    const copy = await this.#tempScope.createFile({ prefix: "put" });
    try {
      await pipeline(source, createWriteStream(copy.path));
      return await this.putStored(copy.path, type, id, options);
    } finally {
      await copy.release();
    }
  }

  /**
   * Ingests raw files into the output repository (Gen2's `ingest.py`): each is checked by its
   * formatter, stored at its template path (copied, linked or moved) and registered in the
   * repository's `registry.sqlite3` with the values its metadata gives, by the camera's ingest
   * rules — atomically per file, and idempotently: a file ingested already is left as it is. A
   * file's failure is its result; the others go on.
   *
   * ```ts
   * const butler = await Butler.create({ outputs: { root: "repo", mode: "rw" } });
   * for (const r of await butler.ingest(["night1/a.fits", "night1/b.fits"], { mode: "link" })) console.log(r.outcome?.status ?? r.error);
   * ```
   * @throws ConfigError unless there is exactly one output, or when its mapper has no ingest rules;
   *   UsageError for a mode the output's storage cannot do; what the file sequence throws
   */
  async ingest(files: Iterable<string> | AsyncIterable<string>, options: IngestFilesOptions = {}): Promise<IngestResult[]> {
    const session = await this.#soleOutput("ingest").openIngest(options);
    const results: IngestResult[] = [];
    try {
      for await (const file of files) {
        let result: IngestResult;
        try {
          result = { file, outcome: await session.add(file) };
        } catch (error) {
          result = { file, error };
        }
        results.push(result);
        options.onFile?.(result);
      }
    } finally {
      await session.close();
    }
    return results;
  }

  /**
   * Rebuilds the output repository's `registry.sqlite3` from the files it stores (their metadata,
   * by the camera's ingest rules). Reopen Butlers to see it.
   * @throws ConfigError unless there is exactly one output, or without ingest rules; RegistryError
   *   when no file yields a row; StorageError
   */
  async buildRegistry(): Promise<RegistryBuildReport> {
    return this.#soleOutput("registry build").buildRegistry();
  }

  /**
   * Every repository of this Butler (outputs first, then the search path), described: mapper,
   * parents, registries with row counts, the storage's capabilities and statistics.
   * @param options - `count`: also count each storage's objects (a listing)
   * @throws RegistryError, StorageError
   */
  async describe(options: { count?: boolean } = {}): Promise<RepositoryDescription[]> {
    this.#open();
    const repos = [...new Set([...this.#graph.outputs, ...this.#graph.readOrder])];
    const out: RepositoryDescription[] = [];
    for (const repo of repos) out.push(await repo.describe(options));
    return out;
  }

  /**
   * Whether a dataset exists: in the search path, or with `write` only in the outputs. A composite
   * exists when all its components do.
   * @throws UnknownDatasetTypeError, DataIdError
   */
  async datasetExists(datasetType: string, dataId: DataIdInput = {}, options: SearchOptions & { write?: boolean } = {}): Promise<boolean> {
    const type = this.#resolve(datasetType);
    const id = checkDataId(dataId);
    const repos = options.write ? this.#writable() : this.#readable(options);
    if (repos.length === 0) return false;
    const composite = repos[0]!.mapper.getComposite(type);
    if (composite !== undefined) {
      for (const component of Object.values(composite.components)) {
        if (!(await this.datasetExists(component.datasetType, id, options))) return false;
      }
      return true;
    }
    return (await this.#locate(type, id, repos, false)) !== undefined;
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
    options: SearchOptions = {},
  ): Promise<Array<DataIdValue | DataIdValue[]>> {
    const type = this.#resolve(datasetType);
    const keys = typeof format === "string" ? [format] : [...format];
    const id = checkDataId(dataId);
    for (const repo of this.#readable(options)) {
      const rows = await repo.mapper.queryMetadata(type, keys, plainDataId(id));
      if (rows.length > 0) return rows;
    }
    return [];
  }

  /**
   * The data references of a dataset type at a level (the mapper's default level if omitted) that
   * match a partial data id: every registry combination of the level's keys, plus the datasets
   * recorded in the repositories (outputs register their puts), without listing directories. One
   * reference per distinct dataset: data ids that fill the type's template alike count once.
   *
   * ```ts
   * for (const ref of await butler.subset("raw", undefined, { visit: 1 })) await ref.get();
   * ```
   * @throws UnknownDatasetTypeError, RegistryError
   */
  async subset(datasetType: string, level?: string, dataId: DataIdInput = {}, options: SearchOptions = {}): Promise<ButlerSubset> {
    const type = this.#resolve(datasetType);
    const id = plainDataId(checkDataId(dataId));
    const mapper = this.#firstRepo(options).mapper;
    const lvl = level ?? mapper.getDefaultLevel();
    const ids = await subsetDataIds({
      mapper,
      datasetType: type,
      level: lvl,
      dataId: id,
      repos: this.#readable(options),
      queryMetadata: (keys) => this.queryMetadata(type, keys, id, options),
    });
    const refs = ids.map((full) => new ButlerDataRef(this, type, lvl, full));
    return new ButlerSubset(type, lvl, id, refs);
  }

  /**
   * The single data reference matching a partial data id (Gen2 `dataRef`).
   * @throws DataIdError when none or several match
   */
  async dataRef(datasetType: string, level?: string, dataId: DataIdInput = {}, options: SearchOptions = {}): Promise<ButlerDataRef> {
    const subset = await this.subset(datasetType, level, dataId, options);
    if (subset.length !== 1) {
      throw new DataIdError(
        `dataRef needs exactly one match for "${datasetType}" ${JSON.stringify(dataId)}, found ${subset.length}; give more keys`,
        undefined,
        subset.refs.slice(0, 10).map((r) => r.dataId),
      );
    }
    return subset.refs[0]!;
  }

  /**
   * The URI of a dataset: where it is found in the search path, or with `write` where a put would
   * write it in the first output. For debugging and hand-offs; `get` is the normal way to read.
   * @throws DatasetNotFoundError when reading and no repository has it
   */
  async getUri(datasetType: string, dataId: DataIdInput = {}, options: SearchOptions & { write?: boolean } = {}): Promise<string> {
    const type = this.#resolve(datasetType);
    const id = checkDataId(dataId);
    if (options.write) {
      const uri = await this.#writable()[0]!.uriOf(type, id, { write: true });
      if (uri === undefined) throw new ConfigError(`"${type}" maps to no file and cannot be written`);
      return uri;
    }
    for (const repo of this.#readable(options)) {
      const uri = await repo.uriOf(type, id);
      if (uri !== undefined) return uri;
    }
    throw new DatasetNotFoundError(type, id, this.searchPath);
  }

  /**
   * Data id keys of a dataset type and their value types (`int`, `float`, `str`); with a level,
   * only the keys at and above it.
   * @throws UnknownDatasetTypeError
   */
  getKeys(datasetType?: string, level?: string): Record<string, "int" | "float" | "str"> {
    return this.#firstRepo().mapper.getKeys(datasetType === undefined ? undefined : this.#resolve(datasetType), level);
  }

  /** Every dataset type the mapper defines (with the variants it synthesises), sorted. */
  getDatasetTypes(): string[] {
    return [...this.#firstRepo().mapper.getDatasetTypes()].sort();
  }

  /** The mapper's default sub-level of a level (`visit` → `ccd`), if it defines one. */
  getDefaultSubLevel(level: string): string | undefined {
    return this.#firstRepo().mapper.getDefaultSubLevel(level);
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

  #resolve(datasetType: string): string {
    this.#open();
    return this.#aliases.resolve(datasetType);
  }

  #open(): void {
    if (this.#closed) throw new ClosedError("this Butler");
  }

  #readable(options: SearchOptions = {}): Repository[] {
    this.#open();
    const tags = options.tags === undefined ? [] : typeof options.tags === "string" ? [options.tags] : options.tags;
    if (tags.length === 0) return this.#graph.readOrder;
    return this.#graph.readOrder.filter((r) => r.tags.some((t) => tags.includes(t)));
  }

  #writable(): Repository[] {
    this.#open();
    const outputs = this.#graph.outputs;
    if (outputs.length === 0) throw new ConfigError("this Butler has no output repository to write to; pass `outputs` to Butler.create");
    return outputs;
  }

  #soleOutput(what: string): Repository {
    const outputs = this.#writable();
    if (outputs.length !== 1) throw new ConfigError(`${what} writes to one output repository; this Butler has ${outputs.length}`);
    return outputs[0]!;
  }

  #refuseComposite(type: string, options: SearchOptions): void {
    const composite = this.#firstRepo(options).mapper.getComposite(type);
    if (composite !== undefined) {
      throw new UsageError(`"${type}" is a composite of ${Object.values(composite.components).map((c) => `"${c.datasetType}"`).join(", ")} and has no stored bytes of its own; ask for a component`);
    }
  }

  #firstRepo(options: SearchOptions = {}): Repository {
    this.#open();
    const repo = this.#graph.outputs[0] ?? this.#readable(options)[0] ?? this.#graph.readOrder[0];
    if (repo === undefined) throw new ConfigError("no repository matches the tags given");
    return repo;
  }

  /**
   * The first repository (in order) that stores the dataset. A dataset computed on read (a bypass)
   * that no repository stores is still read in the first repository that maps it (a computed value
   * such as `_filename` needs no file), as Gen2 did.
   */
  async #locate(type: string, id: DataIdInput, repos: Repository[], allowComputed: boolean): Promise<Found | undefined> {
    let computed: Found | undefined;
    for (const repo of repos) {
      const handle = await repo.locate(type, id);
      if (handle?.stored) return { repo, handle };
      if (handle !== undefined && computed === undefined) computed = { repo, handle };
    }
    if (computed === undefined || !allowComputed) return undefined;
    const read = await readComputed(computed);
    if (read === undefined) return undefined;
    const { location } = computed.handle;
    return { ...computed, handle: { ...computed.handle, location: { ...location, bypass: () => read.value } } };
  }
}

/**
 * Runs the bypass of a dataset computed on read now, so one that needs the file fails as "not
 * found" rather than later.
 * @returns its value, or undefined when what it needs is not there
 */
async function readComputed(computed: Found): Promise<{ value: unknown } | undefined> {
  try {
    return { value: await computed.repo.read(computed.handle) };
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

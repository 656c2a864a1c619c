/**
 * A Repository: one root with its Storage, configuration, registry, records and Mapper, and all
 * dataset I/O below it (see {@link DatasetIo}).
 *
 * @packageDocumentation
 */
import { storageFromUri, toRootUri } from "../storage/schemes.js";
// the built-in storages and cameras, registered by name before any repository is opened
import "../storage/builtin.js";
import "../../mappers/index.js";
import type { Storage, StorageOptions } from "../storage/storage.js";
import type { TempScope } from "../temp/index.js";
import type { Registry, TableRegistry } from "../../registry/registry.js";
import { SqliteRegistry } from "../../registry/sqlite/sqlite-registry.js";
import { ScanRegistry } from "../../registry/scan/scan-registry.js";
import { loadMapper, type Mapper, type MapperDataId } from "../mapper/index.js";
import type { DataId, DataIdValue } from "../data-id.js";
import { AlreadyExistsError, ConfigError, NotFoundError } from "../errors.js";
import { readRepositoryCfg, writeRepositoryCfg, type RepositoryCfg } from "./repository-cfg.js";
import { PgRegistry } from "../../registry/pg/pg-registry.js";
import { openRecordStore, openRepositoryDatabase, type RecordStore, type RepositoryDatabase } from "./records/index.js";
import { DatasetIo, type DatasetHandle, type ReadOutcome, type StoredSource, type WriteDatasetOptions } from "./dataset-io.js";
import { IngestSession, type IngestOptions } from "./ingest.js";
import { buildRegistryFromFiles, type RegistryBuildReport } from "./registry-build.js";
import { describeRegistry, type RepositoryDescription } from "./repository-description.js";
import type { StoredDataset } from "./stored-dataset.js";
import { CALIB_REGISTRY_KEY, REGISTRY_KEY } from "./registry-keys.js";
import { readThroughStorlet, type StorletResult, type StorletSpec } from "./storlet-read.js";

/**
 * The normalised root URI of a repository given as a path or URI (`data/repo` → `file:///abs/data/repo`):
 * what tells two repositories apart.
 */
export function repositoryRoot(pathOrUri: string): string {
  return toRootUri(pathOrUri);
}

/** Read-only, write-only, or both. */
export type RepositoryMode = "r" | "w" | "rw";

/** How a Butler caller describes one repository. */
export interface RepositoryArgs {
  /** Root path or URI (`data/repo`, `file:///data/repo`, `swift://container/prefix`). */
  root: string;
  /** `r` (inputs' default), `w` (outputs' default) or `rw` (an output that is also read from). */
  mode?: RepositoryMode;
  /** Registered mapper name; outputs inherit the inputs' mapper when omitted. */
  mapper?: string;
  /** Arguments for the mapper. */
  mapperArgs?: Record<string, unknown>;
  /** Tags restricting which data ids are looked up here (recorded for later use). */
  tags?: string[];
  /** Policy overrides for this repository. */
  policy?: Record<string, unknown>;
  /** Options for the storage backend (e.g. Swift credentials). */
  storageOptions?: Record<string, unknown>;
}

export { REGISTRY_KEY, CALIB_REGISTRY_KEY } from "./registry-keys.js";

/** What {@link Repository.open} needs besides the arguments. */
export interface RepositoryOpenContext {
  /** Inputs must exist; outputs are created. */
  role: "input" | "output";
  /** Owner of the temp files the storage makes. */
  tempScope: TempScope;
}

/** What {@link Repository.initMapper} needs: what the repository inherits from its parents. */
export interface MapperContext {
  /** Mapper name to use when neither the arguments nor the configuration name one. */
  defaultMapper?: string;
  /** Parent roots to record in a new output's configuration. */
  parents?: string[];
  /** Registry to use when the repository has none of its own (a parent's, with the same mapper). */
  parentRegistry?: Registry;
  /** Calibration registry to use when the repository has none of its own. */
  parentCalibRegistry?: TableRegistry;
}

/**
 * One repository root, opened in two steps: {@link Repository.open} (storage, recorded
 * configuration, own registry) and {@link Repository.initMapper} (once what it inherits from its
 * parents is known).
 */
export class Repository {
  readonly #args: RepositoryArgs;
  #cfg: RepositoryCfg | undefined;
  #mapper: Mapper | undefined;
  #io: DatasetIo | undefined;
  #registry: Registry | undefined;
  #calibRegistry: TableRegistry | undefined;
  #scanRegistry: ScanRegistry | undefined;
  readonly #temp: TempScope;

  private constructor(
    /** Normalised root URI. */
    readonly root: string,
    /** Access mode. */
    readonly mode: RepositoryMode,
    /** The storage below the root. */
    readonly storage: Storage,
    /** The configuration found in the repository, if any (parents absolute). */
    readonly recordedCfg: RepositoryCfg | undefined,
    /** The repository's own registry, if it has one. */
    readonly ownRegistry: Registry | undefined,
    /** The repository's own calibration registry, if it has one. */
    readonly ownCalibRegistry: TableRegistry | undefined,
    /** The records of datasets put here (see {@link openRecordStore}). */
    readonly records: RecordStore | undefined,
    /** The PostgreSQL database its `registry.pgsql` names, if any. */
    readonly database: RepositoryDatabase | undefined,
    args: RepositoryArgs,
    temp: TempScope,
  ) {
    this.#args = args;
    this.#temp = temp;
    this.#cfg = recordedCfg;
    this.#registry = ownRegistry;
  }

  /** Whether the Butler reads from this repository. */
  get readable(): boolean {
    return this.mode !== "w";
  }

  /** Whether the Butler writes to this repository. */
  get writable(): boolean {
    return this.mode !== "r";
  }

  /** Tags from the arguments. */
  get tags(): readonly string[] {
    return this.#args.tags ?? [];
  }

  /** The configuration in force (recorded, or the one written by {@link initMapper}). */
  get cfg(): RepositoryCfg {
    if (this.#cfg === undefined) throw new ConfigError(`repository ${this.root} has no configuration yet`);
    return this.#cfg;
  }

  /** The mapper. @throws ConfigError before {@link Repository.initMapper} */
  get mapper(): Mapper {
    if (this.#mapper === undefined) throw new ConfigError(`repository ${this.root} has no mapper yet`);
    return this.#mapper;
  }

  /** The registry the mapper uses: the repository's own, else a parent's. */
  get registry(): Registry | undefined {
    return this.#registry;
  }

  /** The calibration registry the mapper uses: the repository's own, else a parent's. */
  get calibRegistry(): TableRegistry | undefined {
    return this.#calibRegistry;
  }

  /** The mapper name this repository will use, as far as it knows by itself. */
  get mapperName(): string | undefined {
    return this.#args.mapper ?? this.recordedCfg?.mapper;
  }

  /**
   * Opens a repository root: its storage (created for an output), recorded configuration and own
   * registry.
   * @throws ConfigError when an input root does not exist or holds no repository configuration
   */
  static async open(args: RepositoryArgs, ctx: RepositoryOpenContext): Promise<Repository> {
    const root = toRootUri(args.root);
    const mode: RepositoryMode = args.mode ?? (ctx.role === "input" ? "r" : "w");
    const storageOptions: StorageOptions = { ...args.storageOptions, create: ctx.role === "output", tempScope: ctx.tempScope };
    let storage: Storage;
    try {
      storage = await storageFromUri(root, storageOptions);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new ConfigError(`input repository ${root} does not exist; check the path or URI`, { cause: err });
      }
      throw err;
    }
    let registry: Registry | undefined;
    let calibRegistry: TableRegistry | undefined;
    let records: RecordStore | undefined;
    let database: RepositoryDatabase | undefined;
    try {
      const recorded = await readRepositoryCfg(storage);
      if (recorded === undefined && ctx.role === "input" && args.mapper === undefined) {
        throw new ConfigError(`${root} holds no repository: no repositoryCfg.yaml (pass a "mapper" to use it as a bare input)`);
      }
      if (recorded !== undefined && args.mapper !== undefined && args.mapper !== recorded.mapper) {
        throw new ConfigError(`${root} was created with mapper "${recorded.mapper}", not "${args.mapper}"`);
      }
      database = await openRepositoryDatabase(storage);
      if (database !== undefined) {
        // registry.pgsql wins over the sqlite files (`registry migrate` leaves them as they were);
        // a schema with no registry tables (an output's) only holds records: the parent's registry applies
        const pgRegistry = await PgRegistry.open(database.db, database.config.schema);
        if (pgRegistry.tables().length > 0) registry = pgRegistry;
        else await pgRegistry.close();
        if (database.config.calibSchema !== undefined) calibRegistry = await PgRegistry.open(database.db, database.config.calibSchema);
      } else {
        // opened with every instantiation: a remote storage keeps its copy and revalidates it
        if (await storage.exists(REGISTRY_KEY)) registry = SqliteRegistry.open(await storage.getLocalFile(REGISTRY_KEY, { revalidate: true }));
        if (await storage.exists(CALIB_REGISTRY_KEY)) calibRegistry = SqliteRegistry.open(await storage.getLocalFile(CALIB_REGISTRY_KEY, { revalidate: true }));
      }
      records = await openRecordStore(storage, { writable: mode !== "r", ...(database === undefined ? {} : { database }) });
      return new Repository(root, mode, storage, recorded, registry, calibRegistry, records, database, args, ctx.tempScope);
    } catch (err) {
      await records?.close();
      await calibRegistry?.close();
      await registry?.close();
      await database?.db.close();
      await storage.close();
      throw err;
    }
  }

  /**
   * Creates the mapper; a new output also writes its configuration here.
   * @throws ConfigError when no mapper can be chosen
   */
  async initMapper(ctx: MapperContext = {}): Promise<Mapper> {
    const mapperName = this.mapperName ?? ctx.defaultMapper;
    if (mapperName === undefined) {
      throw new ConfigError(`no mapper for ${this.root}: name one with "mapper", or give inputs whose mapper it inherits`);
    }
    if (this.#cfg === undefined) {
      this.#cfg = {
        mapper: mapperName,
        mapperArgs: this.#args.mapperArgs ?? {},
        parents: ctx.parents ?? [],
        policy: this.#args.policy ?? null,
      };
      if (this.writable) await this.#createCfg(this.#cfg);
    }
    // Gen2: with no registry file and none inherited, scan the files that match the templates
    if (this.ownRegistry === undefined && ctx.parentRegistry === undefined) this.#scanRegistry = new ScanRegistry(this.storage);
    this.#registry = this.ownRegistry ?? ctx.parentRegistry ?? this.#scanRegistry;
    this.#calibRegistry = this.ownCalibRegistry ?? ctx.parentCalibRegistry;
    const MapperClass = await loadMapper(mapperName);
    const mapper = await MapperClass.create({
      registry: this.#registry,
      calibRegistry: this.#calibRegistry,
      policyOverride: this.#cfg.policy ?? undefined,
    });
    this.#mapper = mapper;
    this.#io = new DatasetIo({
      storage: this.storage,
      mapper,
      records: this.records,
      temp: this.#temp,
      noteWritten: (key) => this.#scanRegistry?.addKey(key),
    });
    return mapper;
  }

  /**
   * Creates the configuration of a new output. Two Butlers creating the same output at once both
   * get here: the first write wins (`ifAbsent`), and the other accepts it only if it agrees.
   */
  async #createCfg(cfg: RepositoryCfg): Promise<void> {
    try {
      await writeRepositoryCfg(this.storage, cfg, { ifAbsent: true });
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      const winner = await readRepositoryCfg(this.storage);
      if (winner === undefined || winner.mapper !== cfg.mapper || winner.parents.join("\n") !== cfg.parents.join("\n")) {
        throw new ConfigError(
          `${this.root} was created at the same time by another Butler with a different mapper or parents; ` +
            `reopen it with the inputs it recorded`,
          { cause: err },
        );
      }
      this.#cfg = winner;
    }
  }

  /**
   * Maps a dataset and finds where it is stored here (or that its value is computed on read).
   * @throws UnknownDatasetTypeError, DataIdError, PolicyError, RegistryError
   */
  locate(datasetType: string, dataId: MapperDataId): Promise<DatasetHandle | undefined> {
    return this.#datasets.locate(datasetType, dataId);
  }

  /**
   * Maps a dataset and reads it if it is stored here (without a separate existence check where the
   * read answers it); for a dataset computed on read that nothing stores here, its unstored handle.
   * @returns undefined when the dataset is not here
   * @throws UnknownDatasetTypeError, DataIdError, PolicyError, RegistryError, FitsError,
   *   FormatterError, and whatever a camera hook throws
   */
  readIfStored(datasetType: string, dataId: MapperDataId): Promise<ReadOutcome | undefined> {
    return this.#datasets.readIfStored(datasetType, dataId);
  }

  /**
   * Reads a dataset {@link Repository.locate} found here.
   * @throws NotFoundError, FitsError, FormatterError, and whatever a camera hook throws
   */
  read(handle: DatasetHandle): Promise<unknown> {
    return this.#datasets.read(handle);
  }

  /**
   * Reads a located dataset through a storlet: where the data is when the storage can run it,
   * locally otherwise (the same result).
   * @throws StorletError, UsageError for an unknown storlet, the storage's errors
   */
  readThroughStorlet(handle: DatasetHandle, spec: StorletSpec): Promise<StorletResult> {
    return readThroughStorlet(this.storage, handle.key, spec);
  }

  /**
   * Writes a dataset here, atomically, with its record, write-once check and optional backup.
   * @throws ConfigError, UnknownDatasetTypeError, DataIdError, FormatterError, DatasetConflictError, StorageError
   */
  write(obj: unknown, datasetType: string, dataId: MapperDataId, options?: WriteDatasetOptions): Promise<void> {
    return this.#datasets.write(obj, datasetType, dataId, options);
  }

  /**
   * Whether a dataset is stored here.
   * @throws UnknownDatasetTypeError, DataIdError, PolicyError, RegistryError
   */
  async exists(datasetType: string, dataId: MapperDataId): Promise<boolean> {
    return (await this.#datasets.locate(datasetType, dataId))?.stored === true;
  }

  /**
   * Where a dataset is stored here (undefined when it is not), or with `write` where a put would write it.
   * @throws UnknownDatasetTypeError, DataIdError, PolicyError, RegistryError
   */
  uriOf(datasetType: string, dataId: MapperDataId, options: { write?: boolean } = {}): Promise<string | undefined> {
    return this.#datasets.uriOf(datasetType, dataId, options);
  }

  /**
   * The data ids recorded for puts of a type whose values contain a partial data id, each with its
   * canonical text; none where the repository keeps no records.
   * @throws RegistryError when the record store cannot be read
   */
  async recordedDataIds(datasetType: string, partial: Readonly<Record<string, DataIdValue>>): Promise<Array<{ text: string; dataId: Record<string, DataIdValue> }>> {
    return (await this.records?.findDataIds(datasetType, partial)) ?? [];
  }

  /**
   * The stored object of a dataset {@link Repository.locate} found here.
   * @throws UsageError for a view or a value computed on read; NotFoundError
   */
  openStored(handle: DatasetHandle): Promise<StoredDataset> {
    return this.#datasets.openStored(handle);
  }

  /**
   * Stores bytes as a dataset here after its formatter checked them (see {@link DatasetIo.writeStored}).
   * @returns the completed data id
   * @throws UnsupportedOperationError, FormatterError, FitsError, DataIdError, DatasetConflictError, StorageError
   */
  writeStored(source: StoredSource, datasetType: string, dataId: MapperDataId, options?: WriteDatasetOptions): Promise<Readonly<DataId>> {
    return this.#datasets.writeStored(source, datasetType, dataId, options);
  }

  /**
   * Starts ingesting raw files here (see {@link IngestSession}); close the session when done.
   * @throws ConfigError without ingest rules or a mapper; UsageError for a mode this storage cannot do
   */
  openIngest(options?: IngestOptions): Promise<IngestSession> {
    return IngestSession.open({ storage: this.storage, mapper: this.mapper, noteWritten: (key) => this.#scanRegistry?.addKey(key) }, options);
  }

  /**
   * Rebuilds `registry.sqlite3` from the files stored here (see {@link buildRegistryFromFiles}).
   * @throws ConfigError, RegistryError, StorageError
   */
  buildRegistry(): Promise<RegistryBuildReport> {
    return buildRegistryFromFiles(this.storage, this.mapper);
  }

  /**
   * Mapper, parents, registries with their row counts, the storage's capabilities and statistics.
   * @param options - `count`: also count the stored objects (a full listing on most backends)
   * @throws RegistryError, StorageError
   */
  async describe(options: { count?: boolean } = {}): Promise<RepositoryDescription> {
    return {
      root: this.root,
      mode: this.mode,
      mapper: this.mapper.name,
      parents: [...this.cfg.parents],
      registry: await describeRegistry(this.#registry, this.ownRegistry),
      calibRegistry: await describeRegistry(this.#calibRegistry, this.ownCalibRegistry),
      ingestType: this.mapper.ingestRules?.()?.datasetType ?? null,
      storage: { scheme: this.storage.scheme, capabilities: { ...this.storage.capabilities }, statistics: await this.storage.statistics({ count: options.count === true }) },
    };
  }

  get #datasets(): DatasetIo {
    if (this.#io === undefined) throw new ConfigError(`repository ${this.root} has no mapper yet`);
    return this.#io;
  }

  /** Records new parents in the configuration (an output reopened with extended inputs). */
  async recordParents(parents: string[]): Promise<void> {
    this.cfg.parents = parents;
    await writeRepositoryCfg(this.storage, this.cfg);
  }

  /** Closes the own registries (releasing their files), the records, the database and the storage. */
  async close(): Promise<void> {
    await this.#scanRegistry?.close();
    await this.records?.close();
    await this.ownCalibRegistry?.close();
    await this.ownRegistry?.close();
    await this.database?.db.close();
    await this.storage.close();
  }
}

/**
 * Ingest (Gen2's `ingest.py`): raw files into a repository at their template paths, each with its
 * registry row read from its own metadata by the camera's ingest rules.
 *
 * Per file, atomically: the formatter checks the file and reads its metadata; the row is checked
 * against the registry (a conflict refuses the file before a byte moves); the file is written to a
 * pending file beside its destination (copied, hard-linked, or linked then unlinked for `move`) and
 * published inside the registry transaction that adds its row — so on a local repository the file
 * and its row appear together or not at all. On a remote one (no local path) the object is uploaded
 * first and its row added to a local copy of the registry, uploaded once when the session closes.
 *
 * Idempotent: a file stored already with the same bytes is left alone and only its row is made
 * sure of; one stored with different bytes is refused.
 *
 * @packageDocumentation
 */
import { constants } from "node:fs";
import { copyFile, link, stat, symlink, unlink } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { extname, resolve } from "node:path";
import type { DataIdValue } from "../data-id.js";
import { ConfigError, NotFoundError, StorageError, UsageError } from "../errors.js";
import { formatterFor, type Formatter } from "../formatters/index.js";
import type { IngestRules, Mapper } from "../mapper/index.js";
import type { PendingLocalFile, Storage } from "../storage/storage.js";
import { RegistryWriter } from "../../registry/sqlite/registry-writer.js";
import { ingestRow } from "./ingest-row.js";
import { REGISTRY_KEY } from "./registry-keys.js";
import { sameBytes } from "./same-bytes.js";

/** How a file gets into the repository: a copy, a link to it (local repositories), or moved in. */
export type IngestMode = "copy" | "link" | "move";

/** Options of an ingest. */
export interface IngestOptions {
  /** Default `copy`. `link` makes a hard link (a symbolic link across filesystems). */
  mode?: IngestMode;
}

/** What became of one file. */
export interface IngestOutcome {
  /** The file as given. */
  file: string;
  datasetType: string;
  /** Its data id: every registry column. */
  dataId: Readonly<Record<string, DataIdValue>>;
  /** Where it is stored. */
  uri: string;
  /** `ingested`: stored and registered; `registered`: it was stored, its row was added; `unchanged`: both were there. */
  status: "ingested" | "registered" | "unchanged";
  bytes: number;
}

/** What an ingest works with: the repository's storage and mapper. */
export interface IngestParts {
  storage: Storage;
  mapper: Mapper;
  /** Told about every key written (a scanning registry adds it). */
  noteWritten(key: string): void;
}

/**
 * The camera's ingest rules.
 * @throws ConfigError when the mapper has none
 */
export function ingestRulesOf(mapper: Mapper): IngestRules {
  const rules = mapper.ingestRules?.();
  if (rules === undefined) throw new ConfigError(`mapper "${mapper.name}" says nothing about ingesting files: its policy needs an "ingest" section (dataset type and registry columns)`);
  return rules;
}

/** One ingest: files added one after the other, the registry held open until {@link IngestSession.close}. */
export class IngestSession {
  readonly #parts: IngestParts;
  readonly #rules: IngestRules;
  readonly #check: NonNullable<Formatter["check"]>;
  readonly #mode: IngestMode;
  readonly #writer: RegistryWriter;
  /** A remote repository's registry copy, uploaded on close; undefined when written in place. */
  readonly #copy: PendingLocalFile | undefined;
  #changed = false;

  private constructor(parts: IngestParts, rules: IngestRules, check: NonNullable<Formatter["check"]>, mode: IngestMode, writer: RegistryWriter, copy: PendingLocalFile | undefined) {
    this.#parts = parts;
    this.#rules = rules;
    this.#check = check;
    this.#mode = mode;
    this.#writer = writer;
    this.#copy = copy;
  }

  /**
   * Starts an ingest: the registry is opened in place (a local repository) or copied locally.
   * @throws ConfigError without ingest rules; UsageError for `link` on a repository that is not
   *   local files, or a formatter that cannot check files; RegistryError, StorageError
   */
  static async open(parts: IngestParts, options: IngestOptions = {}): Promise<IngestSession> {
    const { storage, mapper } = parts;
    const rules = ingestRulesOf(mapper);
    const mode = options.mode ?? "copy";
    if (!["copy", "link", "move"].includes(mode)) throw new UsageError(`ingest mode must be copy, link or move, not "${mode}"`);
    if (mode === "link" && !storage.capabilities.localPath) throw new UsageError(`--mode link needs a repository of local files; ${storage.scheme}: stores copies (use copy or move)`);
    const formatter = formatterFor(rules.storageName);
    const check = formatter.check?.bind(formatter);
    if (check === undefined) throw new UsageError(`"${rules.datasetType}" is stored as ${rules.storageName}, whose formatter cannot check files to ingest`);
    const writerOptions = { table: rules.table, unique: rules.unique, visitTable: rules.visitTable, visitColumns: rules.visitColumns };
    if (storage.capabilities.localPath) {
      return new IngestSession(parts, rules, check, mode, RegistryWriter.open(fileURLToPath(storage.uriOf(REGISTRY_KEY)), writerOptions), undefined);
    }
    const copy = await storage.createLocalFile(REGISTRY_KEY, { suffix: ".sqlite3" });
    try {
      if (await storage.exists(REGISTRY_KEY)) {
        const current = await storage.getLocalFile(REGISTRY_KEY);
        try {
          await copyFile(current.path, copy.path);
        } finally {
          await current.release();
        }
      }
      return new IngestSession(parts, rules, check, mode, RegistryWriter.open(copy.path, writerOptions), copy);
    } catch (err) {
      await copy.abort();
      throw err;
    }
  }

  /**
   * Ingests one file.
   * @throws NotFoundError for a missing file; FitsError/FormatterError for one its formatter
   *   refuses; DataIdError for metadata that lacks a registry column; RegistryError when its row
   *   conflicts with a registered one; StorageError E_ALREADY_EXISTS when a different file is
   *   stored for its data id already
   */
  async add(file: string): Promise<IngestOutcome> {
    const { storage, mapper } = this.#parts;
    const { datasetType } = this.#rules;
    const source = resolve(file);
    const info = await stat(source).catch((err: unknown) => {
      throw new NotFoundError(file, "the local filesystem", { cause: err });
    });
    if (!info.isFile()) throw new NotFoundError(file, "the local filesystem (not a regular file)");
    const row = ingestRow(await this.#check(source, datasetType), this.#rules);
    const location = await mapper.map(datasetType, row, { write: true });
    const key = location.locations[0];
    if (key === undefined) throw new ConfigError(`"${datasetType}" maps to no file and cannot be ingested`);
    // a conflicting row refuses the file before a byte moves
    this.#writer.check(row);
    const outcome = { file, datasetType, dataId: row, uri: storage.uriOf(key), bytes: info.size };
    if (await storage.exists(key)) {
      if (!(await sameBytes(storage, key, source, info.size))) {
        throw new StorageError(`a different file is stored as "${datasetType}" ${JSON.stringify(row)} already; remove it first to replace it`, { code: "E_ALREADY_EXISTS" });
      }
      const added = this.#writer.add(row) === "added";
      this.#changed ||= added;
      await this.#finishMove(source);
      return { ...outcome, status: added ? "registered" : "unchanged" };
    }
    {
      await using pending = await storage.createLocalFile(key, { ifAbsent: true, suffix: extname(key) });
      await place(source, pending.path, this.#mode);
      await pending.commit({ around: (publish) => void this.#writer.add(row, publish) });
    }
    this.#changed = true;
    this.#parts.noteWritten(key);
    await this.#finishMove(source);
    return { ...outcome, status: "ingested" };
  }

  /**
   * Ends the ingest: a remote repository's registry copy is uploaded when rows were added.
   * @throws StorageError when the upload fails (the files are stored; ingesting them again adds their rows)
   */
  async close(): Promise<void> {
    this.#writer.close();
    if (this.#copy === undefined) return;
    if (this.#changed) await this.#copy.commit();
    else await this.#copy.abort();
  }

  async #finishMove(source: string): Promise<void> {
    if (this.#mode === "move") await unlink(source);
  }
}

/**
 * Fills a pending file from the source: a copy (a reflink where the filesystem can), or the
 * source's own inode (a hard link; `link` falls back to a symbolic link across filesystems, `move`
 * to a copy, the source being removed only after the publication).
 */
async function place(source: string, pending: string, mode: IngestMode): Promise<void> {
  if (mode === "copy") {
    await copyFile(source, pending, constants.COPYFILE_FICLONE);
    return;
  }
  await unlink(pending);
  try {
    await link(source, pending);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK") throw err;
    if (mode === "link") await symlink(source, pending);
    else await copyFile(source, pending, constants.COPYFILE_FICLONE);
  }
}

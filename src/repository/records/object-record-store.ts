/**
 * The records of a remote repository without PostgreSQL (Swift, S3, a module): one small object
 * per dataset under `_records/`, safe on an object store where a sqlite file cannot be written in
 * place and listings are eventually consistent.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../../data-id.js";
import { NotFoundError, RegistryError } from "../../errors.js";
import type { Storage } from "../../storage/storage.js";
import { canonicalDataId, type DatasetRecord } from "../dataset-records.js";
import { matchesPartial, type NewRecord, type RecordedDataId, type RecordStore } from "./record-store.js";

/** The key prefix of the record objects. */
export const RECORDS_PREFIX = "_records/";

/** How many record objects are read at once (find, all). */
const PARALLEL_READS = 16;

/**
 * The key of a dataset's record: `_records/<type>/<base64url(canonical data id)>.json`. The data
 * id is in the name, so a listing alone answers `subset`; one name per dataset, so a rewrite
 * replaces the record instead of adding one.
 */
export function recordKey(datasetType: string, dataId: Readonly<DataId>): string {
  return `${RECORDS_PREFIX}${encodeURIComponent(datasetType)}/${Buffer.from(canonicalDataId(dataId)).toString("base64url")}.json`;
}

/** Where the index from stored objects to their records lives (not a dataset type: see {@link parseRecordKey}). */
const BY_KEY = "_by-key";

/**
 * The key of the small object that names which dataset records a stored object:
 * `_records/_by-key/<base64url(key)>.json` holding `{datasetType, dataId}`.
 */
function ownerKey(key: string): string {
  return `${RECORDS_PREFIX}${BY_KEY}/${Buffer.from(key).toString("base64url")}.json`;
}

/** The type and data id a record key names, or undefined for another key. */
export function parseRecordKey(key: string): { datasetType: string; text: string; dataId: DataId } | undefined {
  const match = /^_records\/([^/]+)\/([A-Za-z0-9_-]+)\.json$/.exec(key);
  if (match === null || match[1] === BY_KEY) return undefined;
  try {
    const text = Buffer.from(match[2]!, "base64url").toString("utf8");
    const dataId = JSON.parse(text) as unknown;
    if (dataId === null || typeof dataId !== "object" || Array.isArray(dataId)) return undefined;
    return { datasetType: decodeURIComponent(match[1]!), text, dataId: dataId as DataId };
  } catch {
    return undefined; // not one of ours
  }
}

/**
 * A {@link RecordStore} of one object per dataset. Guarantees, on a store with read-after-write
 * consistency for new objects and eventually consistent listings (Swift, S3 before 2020):
 *
 * - a record is written only after its dataset's upload succeeded (checksum verified), so a
 *   record never names an object that was never written; a crash in between leaves an orphan;
 * - {@link ObjectRecordStore.get} reads the record object by its name: consistent;
 * - listings ({@link ObjectRecordStore.find}, `subset`) may miss other writers' newest records
 *   until the store's listing catches up; this process's own records are always included
 *   (read-your-writes), and `fsck` confirms every orphan by a direct read of its record name
 *   before calling it one (the consistent fallback).
 *
 * ```ts
 * const store = new ObjectRecordStore(swiftStorage);
 * await store.record({ datasetType: "calexp", dataId: { visit: 1, ccd: 2 }, key, size, checksum });
 * ```
 */
export class ObjectRecordStore implements RecordStore {
  /** Which implementation. */
  readonly kind = "objects";
  readonly #storage: Storage;
  readonly #writable: boolean;
  /** Records this process wrote, by record key: listings include them even before they show. */
  readonly #mine = new Map<string, DatasetRecord>();

  /** @param storage - the repository's storage (not owned); @param options - `writable` (default true) */
  constructor(storage: Storage, options: { writable?: boolean } = {}) {
    this.#storage = storage;
    this.#writable = options.writable !== false;
  }

  /** The records prefix below the repository root. */
  get where(): string {
    return this.#storage.uriOf(RECORDS_PREFIX);
  }

  /**
   * Writes (replaces) the record object of a published dataset. Records are keyed by the stored
   * object: the record of another data id (or type) that names the same key — found through the
   * key's owner object `_records/_by-key/…` — is deleted first, then this record is written, then
   * the owner object. A crash in between leaves at worst no record of the object (an orphan,
   * which `fsck --repair` registers), never two; concurrent puts of two data ids naming one object
   * are ordered only as well as the store's writes are (last writer wins per object).
   * @throws RegistryError
   */
  async record(record: NewRecord): Promise<void> {
    if (!this.#writable) throw new RegistryError(`the dataset records ${this.where} were opened read-only`);
    const key = recordKey(record.datasetType, record.dataId);
    const owner = await this.#readJson<{ datasetType: string; dataId: DataId }>(ownerKey(record.key));
    if (owner !== undefined && recordKey(owner.datasetType, owner.dataId) !== key) {
      // the previous owner's record goes only if it still names this object (it may have moved on)
      if ((await this.get(owner.datasetType, owner.dataId))?.key === record.key) await this.remove(owner.datasetType, owner.dataId);
    }
    const full: DatasetRecord = { datasetType: record.datasetType, dataId: JSON.parse(canonicalDataId(record.dataId)) as DataId, key: record.key, size: record.size, checksum: record.checksum, created: new Date().toISOString() };
    try {
      await this.#storage.write(key, `${JSON.stringify(full)}\n`);
    } catch (err) {
      throw new RegistryError(`cannot write the record of ${record.datasetType} ${canonicalDataId(record.dataId)} at ${this.#storage.uriOf(key)}: ${(err as Error).message}`, { cause: err });
    }
    this.#mine.set(key, full);
    if (owner === undefined || recordKey(owner.datasetType, owner.dataId) !== key) {
      const index = ownerKey(record.key);
      try {
        await this.#storage.write(index, `${JSON.stringify({ datasetType: full.datasetType, dataId: full.dataId })}\n`);
      } catch (err) {
        throw new RegistryError(`cannot write the record index ${this.#storage.uriOf(index)}: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  /** Reads one record object by its name (consistent). @throws RegistryError */
  async get(datasetType: string, dataId: Readonly<DataId>): Promise<DatasetRecord | undefined> {
    return this.#read(recordKey(datasetType, dataId));
  }

  /** Records of a type containing a partial data id: a listing, then one read per match. @throws RegistryError */
  async find(datasetType: string, partial: Readonly<Record<string, DataIdValue>> = {}): Promise<DatasetRecord[]> {
    const keys = (await this.#listed(datasetType, partial)).map((e) => e.key);
    const records = await mapParallel(keys, (key) => this.#read(key));
    return records.filter((r): r is DatasetRecord => r !== undefined);
  }

  /** Data ids of a type containing a partial data id: the listing alone. @throws RegistryError */
  async findDataIds(datasetType: string, partial: Readonly<Record<string, DataIdValue>> = {}): Promise<RecordedDataId[]> {
    return (await this.#listed(datasetType, partial)).map(({ text, dataId }) => ({ text, dataId }));
  }

  /** Every record (listing, then reads). @throws RegistryError */
  async *all(): AsyncIterable<DatasetRecord> {
    const keys = new Set<string>(this.#mine.keys());
    for await (const key of this.#list(RECORDS_PREFIX)) if (parseRecordKey(key) !== undefined) keys.add(key);
    const sorted = [...keys].sort();
    for (let i = 0; i < sorted.length; i += 256) {
      for (const record of await mapParallel(sorted.slice(i, i + 256), (key) => this.#read(key))) if (record !== undefined) yield record;
    }
  }

  /** Deletes one record object. @throws RegistryError */
  async remove(datasetType: string, dataId: Readonly<DataId>): Promise<boolean> {
    const key = recordKey(datasetType, dataId);
    this.#mine.delete(key);
    try {
      await this.#storage.delete(key);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw new RegistryError(`cannot delete the record ${this.#storage.uriOf(key)}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Number of record objects listed (plus this process's own). @throws RegistryError */
  async count(datasetType?: string): Promise<number> {
    const prefix = datasetType === undefined ? RECORDS_PREFIX : `${RECORDS_PREFIX}${encodeURIComponent(datasetType)}/`;
    const keys = new Set<string>([...this.#mine.keys()].filter((k) => k.startsWith(prefix)));
    for await (const key of this.#list(prefix)) if (parseRecordKey(key) !== undefined) keys.add(key);
    return keys.size;
  }

  /** Forgets this process's own records (the storage belongs to the repository). */
  async close(): Promise<void> {
    this.#mine.clear();
  }

  /** Listed (and own) record names of a type whose data ids match, sorted by canonical text. */
  async #listed(datasetType: string, partial: Readonly<Record<string, DataIdValue>>): Promise<Array<{ key: string; text: string; dataId: DataId }>> {
    const prefix = `${RECORDS_PREFIX}${encodeURIComponent(datasetType)}/`;
    const found = new Map<string, { key: string; text: string; dataId: DataId }>();
    const consider = (key: string) => {
      const parsed = parseRecordKey(key);
      if (parsed !== undefined && parsed.datasetType === datasetType && matchesPartial(parsed.dataId, partial)) found.set(key, { key, text: parsed.text, dataId: parsed.dataId });
    };
    for await (const key of this.#list(prefix)) consider(key);
    for (const key of this.#mine.keys()) if (key.startsWith(prefix)) consider(key);
    return [...found.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  }

  async *#list(prefix: string): AsyncIterable<string> {
    try {
      yield* this.#storage.list({ prefix });
    } catch (err) {
      throw new RegistryError(`cannot list the dataset records ${this.#storage.uriOf(prefix)}: ${(err as Error).message}`, { cause: err });
    }
  }

  async #read(key: string): Promise<DatasetRecord | undefined> {
    return this.#readJson<DatasetRecord>(key);
  }

  async #readJson<T>(key: string): Promise<T | undefined> {
    let text: string;
    try {
      text = (await this.#storage.read(key)).toString("utf8");
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw new RegistryError(`cannot read the record ${this.#storage.uriOf(key)}: ${(err as Error).message}`, { cause: err });
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new RegistryError(`the record ${this.#storage.uriOf(key)} is not JSON (damaged?): ${(err as Error).message}`, { cause: err });
    }
  }
}

/** `fn` over items, at most {@link PARALLEL_READS} at a time, results in order. */
async function mapParallel<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, items.length) }, worker));
  return out;
}

/**
 * `fsck`: compares a repository's dataset records with what its storage holds — records of
 * missing objects, orphan objects (a dataset object without a record: a writer that died between
 * publishing the object and recording it), size and checksum mismatches — and with `repair`
 * re-registers orphans and drops the records of missing objects. A put killed between publishing
 * its object and committing its record left an *intent* (sqlite records): an intent whose checksum
 * the object has is an **interrupted** put, whose record `repair` restores from the intent; one
 * the object does not match published nothing and is dropped. A mismatch without such an intent is
 * never blessed. Objects of a dataset type of
 * which no dataset was ever recorded (raw files an ingest copied in) are counted, not called
 * orphans, unless `allTypes` says so.
 *
 * @packageDocumentation
 */
import type { DataId } from "../data-id.js";
import { NotFoundError, RegistryError } from "../errors.js";
import type { Storage, SweepReport } from "../storage/storage.js";
import { canonicalDataId, DATASET_RECORDS_KEY } from "./dataset-records.js";
import { RECORDS_PREFIX } from "./records/object-record-store.js";
import type { RecordStore } from "./records/record-store.js";
import { digestFile } from "./put-storage.js";
import { Repository } from "./repository.js";
import { TempScope } from "../temp/index.js";

/** One problem found. */
export interface FsckFinding {
  /** What is wrong. */
  kind: "missing" | "orphan" | "mismatch" | "interrupted";
  /** The object's key. */
  key: string;
  /** The dataset (for an orphan: as its key parses; absent when no template parses it). */
  datasetType?: string;
  dataId?: DataId;
  /** For a mismatch: what the record says and what the object is. */
  expected?: { size: number; checksum: string };
  actual?: { size: number; checksum?: string };
}

/** What {@link fsck} found and did. */
export interface FsckReport {
  /** Where the records are. */
  recordStore: string;
  /** Records checked. */
  records: number;
  /** Objects listed below the root (records, configuration and registries left out). */
  objects: number;
  /** Objects no template names (not datasets: left alone). */
  unknownObjects: number;
  /**
   * Unrecorded objects of dataset types with no record at all (data put there by other means, e.g.
   * ingested raw files): counted, not called orphans (unless `allTypes`).
   */
  untracked: number;
  missing: FsckFinding[];
  orphans: FsckFinding[];
  mismatches: FsckFinding[];
  /**
   * Puts killed between publishing their object and recording it, told by their intent (the object
   * has the intent's checksum): `repair` records them.
   */
  interrupted: FsckFinding[];
  /** Intents of puts that published nothing (killed before their rename): `repair` drops them. */
  staleIntents: number;
  /** With `repair`: orphans registered, records of missing objects dropped, interrupted puts recorded. */
  repaired: { registered: FsckFinding[]; dropped: FsckFinding[]; adopted: FsckFinding[] };
  /**
   * Temp files that killed writers left beside destinations (POSIX): found, and removed with
   * `repair`. Not damage — no dataset is affected — only space.
   */
  pendingWrites: SweepReport;
  /** Whether damage remains (what the command's exit status says). */
  damaged: boolean;
}

/** Options of {@link fsck}. */
export interface FsckOptions {
  /** Re-register orphans (their data id parsed from the key) and drop records of missing objects. */
  repair?: boolean;
  /** Compare SHA-256 checksums too (reads every object); default true. Sizes are always compared. */
  checksums?: boolean;
  /** Objects checked at once. Default 8. */
  concurrency?: number;
  /** Call an unrecorded object an orphan even when no dataset of its type was ever recorded. Default false. */
  allTypes?: boolean;
  /**
   * Temp files of any writer untouched this long are stale (default a day); those of a writer of
   * this host that no longer runs are stale at once.
   */
  staleAfterMs?: number;
}

/** Keys that belong to the repository itself, not to datasets. */
function isRepositoryFile(key: string): boolean {
  return (
    key.startsWith(RECORDS_PREFIX) ||
    key === "repositoryCfg.yaml" ||
    /^(registry|calibRegistry)\.(sqlite3|pgsql)$/.test(key) ||
    key.startsWith(DATASET_RECORDS_KEY) // the sqlite file and its -wal/-shm companions
  );
}

/**
 * Checks a repository (opened with its mapper; writable for `repair`). Run it while no writer is
 * active: an object published a moment ago whose record is on its way looks like an orphan.
 * @throws RegistryError when the repository keeps no records or they cannot be read; StorageError
 *   when the storage cannot be listed
 */
export async function fsck(repo: Repository, options: FsckOptions = {}): Promise<FsckReport> {
  const records = repo.records;
  if (records === undefined) {
    throw new RegistryError(`${repo.root} keeps no dataset records (a read-only local repository without datasets.sqlite3); nothing to compare`);
  }
  const { storage, mapper } = repo;
  const checksums = options.checksums !== false;
  const report: FsckReport = {
    recordStore: records.where,
    records: 0,
    objects: 0,
    unknownObjects: 0,
    untracked: 0,
    missing: [],
    orphans: [],
    mismatches: [],
    interrupted: [],
    staleIntents: 0,
    repaired: { registered: [], dropped: [], adopted: [] },
    pendingWrites: { files: 0, bytes: 0 },
    damaged: false,
  };

  // 0. intents of killed puts: adopted (with repair) before the records are checked
  await checkIntents(report, records, storage, options.repair === true);

  // 1. every record against its object
  const recordedKeys = new Set<string>();
  const recordedTypes = new Set<string>();
  const pending: Array<Promise<void>> = [];
  const limit = options.concurrency ?? 8;
  const running = new Set<Promise<void>>();
  const run = async (task: () => Promise<void>) => {
    while (running.size >= limit) await Promise.race(running);
    const p = task().finally(() => running.delete(p));
    running.add(p);
    pending.push(p);
  };
  for await (const record of records.all()) {
    report.records++;
    recordedKeys.add(record.key);
    recordedTypes.add(record.datasetType);
    await run(async () => {
      const finding = { key: record.key, datasetType: record.datasetType, dataId: record.dataId };
      let size: number;
      try {
        size = (await storage.stat(record.key)).size;
      } catch (err) {
        if (err instanceof NotFoundError) return void report.missing.push({ kind: "missing", ...finding });
        throw err;
      }
      const expected = { size: record.size, checksum: record.checksum };
      if (size !== record.size) return void report.mismatches.push({ kind: "mismatch", ...finding, expected, actual: { size } });
      if (checksums) {
        const checksum = await digestObject(storage, record.key);
        if (checksum !== record.checksum) report.mismatches.push({ kind: "mismatch", ...finding, expected, actual: { size, checksum } });
      }
    });
  }
  await Promise.all(pending);

  // 2. every dataset object against the records
  const candidates: FsckFinding[] = [];
  for await (const key of storage.list()) {
    if (isRepositoryFile(key)) continue;
    report.objects++;
    if (recordedKeys.has(key)) continue;
    const parsed = mapper.datasetOfKey?.(key);
    if (parsed === undefined && mapper.datasetOfKey !== undefined) {
      report.unknownObjects++;
      continue;
    }
    if (parsed !== undefined && !options.allTypes && !recordedTypes.has(parsed.datasetType)) {
      report.untracked++;
      continue;
    }
    candidates.push({ kind: "orphan", key, ...(parsed ?? {}) });
  }
  // a listing of records may lag behind (object stores): ask for each candidate's record directly
  for (const candidate of candidates) {
    if (candidate.datasetType !== undefined && (await records.get(candidate.datasetType, candidate.dataId!))?.key === candidate.key) continue;
    report.orphans.push(candidate);
  }

  if (options.repair) await repair(report, records, storage);
  const sweep = { dryRun: options.repair !== true, ...(options.staleAfterMs === undefined ? {} : { olderThanMs: options.staleAfterMs }) };
  report.pendingWrites = (await storage.sweepPendingWrites?.(sweep)) ?? report.pendingWrites;
  report.damaged =
    report.mismatches.length > 0 ||
    report.missing.length > report.repaired.dropped.length ||
    report.orphans.length > report.repaired.registered.length ||
    report.interrupted.length > report.repaired.adopted.length;
  sortFindings(report);
  return report;
}

/**
 * Sorts the intents left by killed puts: one whose checksum the object has (checked by size, then
 * SHA-256) published it — adopted with `repair` unless the record already says the same; any other
 * published nothing and is dropped with `repair`. The newest intent wins when several match.
 */
async function checkIntents(report: FsckReport, records: RecordStore, storage: Storage, repair: boolean): Promise<void> {
  const intents = (await records.intents?.()) ?? [];
  const digests = new Map<string, { size: number; checksum: string } | undefined>();
  const digestOf = async (key: string) => {
    if (!digests.has(key)) {
      try {
        digests.set(key, await digestLocal(storage, key));
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        digests.set(key, undefined);
      }
    }
    return digests.get(key);
  };
  const adopted = new Set<string>();
  for (const intent of [...intents].reverse()) {
    const actual = await digestOf(intent.key);
    const matches = actual !== undefined && !adopted.has(intent.key) && actual.size === intent.size && actual.checksum === intent.checksum;
    if (!matches) {
      report.staleIntents++;
      if (repair) await records.settleIntent!(intent, false);
      continue;
    }
    adopted.add(intent.key);
    const recorded = await records.get(intent.datasetType, intent.dataId);
    const finding: FsckFinding = { kind: "interrupted", key: intent.key, datasetType: intent.datasetType, dataId: intent.dataId, expected: { size: intent.size, checksum: intent.checksum } };
    const current = recorded !== undefined && recorded.key === intent.key && recorded.checksum === intent.checksum && recorded.size === intent.size;
    if (!current) report.interrupted.push(finding);
    if (repair) {
      await records.settleIntent!(intent, !current);
      if (!current) report.repaired.adopted.push(finding);
    }
  }
}

async function digestLocal(storage: Storage, key: string): Promise<{ size: number; checksum: string }> {
  const local = await storage.getLocalFile(key);
  try {
    return await digestFile(local.path);
  } finally {
    await local.release();
  }
}

async function repair(report: FsckReport, records: RecordStore, storage: Storage): Promise<void> {
  for (const orphan of report.orphans) {
    if (orphan.datasetType === undefined) continue; // no template names it: nothing to register it as
    const local = await storage.getLocalFile(orphan.key);
    try {
      const digest = await digestFile(local.path);
      await records.record({ datasetType: orphan.datasetType, dataId: orphan.dataId!, key: orphan.key, ...digest });
    } finally {
      await local.release();
    }
    report.repaired.registered.push(orphan);
  }
  for (const missing of report.missing) {
    await records.remove(missing.datasetType!, missing.dataId!);
    report.repaired.dropped.push(missing);
  }
}

async function digestObject(storage: Storage, key: string): Promise<string> {
  return (await digestLocal(storage, key)).checksum;
}

function sortFindings(report: FsckReport): void {
  const byKey = (a: FsckFinding, b: FsckFinding) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  for (const list of [report.missing, report.orphans, report.mismatches, report.interrupted, report.repaired.registered, report.repaired.dropped, report.repaired.adopted]) list.sort(byKey);
}

/** One line per finding and a summary, as the command prints them. */
export function formatFsckReport(report: FsckReport, options: { repair?: boolean } = {}): string[] {
  const id = (f: FsckFinding) => (f.datasetType === undefined ? "" : ` (${f.datasetType} ${canonicalDataId(f.dataId ?? {})})`);
  const lines: string[] = [];
  for (const f of report.missing) lines.push(`missing object: ${f.key}${id(f)} is recorded but not stored`);
  for (const f of report.orphans) lines.push(`orphan: ${f.key}${id(f)} is stored but not recorded${f.datasetType === undefined ? " (no template names it: not re-registered)" : ""}`);
  for (const f of report.interrupted) lines.push(`interrupted put: ${f.key}${id(f)} was published by a put killed before its record was committed (--repair records it)`);
  for (const f of report.mismatches) {
    const what = f.actual?.size !== f.expected?.size ? `size ${f.actual?.size} != recorded ${f.expected?.size}` : `checksum ${f.actual?.checksum} != recorded ${f.expected?.checksum}`;
    lines.push(`mismatch: ${f.key}${id(f)}: ${what}`);
  }
  if (options.repair) {
    for (const f of report.repaired.registered) lines.push(`repaired: registered ${f.key}${id(f)}`);
    for (const f of report.repaired.adopted) lines.push(`repaired: recorded the interrupted put of ${f.key}${id(f)}`);
    for (const f of report.repaired.dropped) lines.push(`repaired: dropped the record of ${f.key}${id(f)}`);
    if (report.mismatches.length > 0) lines.push(`not repaired: ${report.mismatches.length} mismatch(es) — restore or put those datasets again`);
  }
  const temps = report.pendingWrites;
  if (temps.files > 0) lines.push(`${options.repair ? "removed" : "found"} ${temps.files} temp file(s) (${temps.bytes} bytes) of killed writers${options.repair ? "" : " (--repair removes them)"}`);
  lines.push(
    `${report.records} record(s) in ${report.recordStore}, ${report.objects} object(s): ` +
      `${report.missing.length} missing, ${report.orphans.length} orphan(s), ${report.mismatches.length} mismatch(es)` +
      (report.interrupted.length > 0 ? `, ${report.interrupted.length} interrupted put(s)` : "") +
      (options.repair ? `; registered ${report.repaired.registered.length}, dropped ${report.repaired.dropped.length}` : "") +
      (options.repair && report.repaired.adopted.length > 0 ? `, recorded ${report.repaired.adopted.length} interrupted` : "") +
      (report.untracked > 0 ? `; ${report.untracked} object(s) of types never recorded here (ingested?) not checked` : "") +
      (report.damaged ? " — DAMAGED" : " — clean"),
  );
  return lines;
}

/**
 * Opens a repository by path or URI (writable with `repair`), runs {@link fsck} on it, closes it.
 *
 * ```ts
 * const report = await fsckRepository("swift://rerun/me", { repair: true });
 * if (report.damaged) process.exitCode = 1;
 * ```
 * @throws ConfigError when no repository is there; whatever {@link fsck} throws
 */
export async function fsckRepository(root: string, options: FsckOptions & { storageOptions?: Record<string, unknown> } = {}): Promise<FsckReport> {
  const { storageOptions, ...checkOptions } = options;
  const tempScope = new TempScope();
  try {
    const repo = await Repository.open({ root, mode: options.repair ? "rw" : "r", ...(storageOptions === undefined ? {} : { storageOptions }) }, { role: "input", tempScope });
    try {
      await repo.initMapper();
      return await fsck(repo, checkOptions);
    } finally {
      await repo.close();
    }
  } finally {
    await tempScope.close();
  }
}

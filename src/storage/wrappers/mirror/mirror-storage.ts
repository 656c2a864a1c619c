/**
 * `skybutler:mirror`: every write goes to every target (`args.over`, a list of URI prefixes),
 * reads come from the first target that answers, and {@link MirrorStorage.repair} completes the
 * targets that miss objects, skipping those whose `available` says they have them.
 *
 * ```yaml
 * safe: {module: "skybutler:mirror", args: {over: ["file:///srv/a", "swift://"]}}
 * ```
 *
 * @packageDocumentation
 */
import { Readable } from "node:stream";
import { ConfigError, NotFoundError, StorageError } from "../../../errors.js";
import type { LocalFile } from "../../../temp/index.js";
import type { ClampedRange } from "../../byte-range.js";
import type { AvailableOptions, LocalFileOptions, ObjectInfo, StatisticsOptions, Storage, StorageCapabilities, StorageOptions, StorageStatistics } from "../../storage.js";
import { StreamStorage, writeToFile, type ByteSource } from "../../stream-storage.js";
import type { RepairReport } from "../admin.js";
import { openInner, wrapperConfig } from "../wrapper-support.js";
import { mergeSorted } from "./merge-sorted.js";

/**
 * The `skybutler:mirror` factory: `args.over` lists the targets, the first one being the primary
 * (it decides `ifAbsent` races).
 * @throws ConfigError when over is not a list of URI prefixes
 */
export async function openMirrorStorage(uri: string, options: StorageOptions): Promise<MirrorStorage> {
  const config = wrapperConfig("mirror", uri, options);
  const over = config.args.over;
  if (!Array.isArray(over) || over.length === 0 || !over.every((o) => typeof o === "string" && /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(o))) {
    throw new ConfigError(`storage module "${config.name}" needs args.over: a list of the URI prefixes it mirrors to, e.g. ["file:///srv/a", "swift://"]`);
  }
  const targets: Storage[] = [];
  try {
    for (const o of over as string[]) targets.push(await openInner(config, o));
  } catch (err) {
    await Promise.all(targets.map((t) => t.close()));
    throw err;
  }
  return new MirrorStorage(config.name, config.uri.uri, targets, options);
}

/** Writes to all targets, reads from the first that answers. */
export class MirrorStorage extends StreamStorage {
  readonly scheme: string;
  readonly uri: string;
  readonly capabilities: StorageCapabilities;
  readonly #targets: Storage[];

  constructor(scheme: string, uri: string, targets: Storage[], options: StorageOptions = {}) {
    super(options);
    this.scheme = scheme;
    this.uri = uri;
    this.#targets = targets;
    this.capabilities = { localPath: false, metadata: false, rangedRead: targets.every((t) => t.capabilities.rangedRead) };
  }

  /** The targets' root URIs, primary first. */
  get targets(): string[] {
    return this.#targets.map((t) => t.uri);
  }

  /** `fn` on each target in order until one answers; NotFoundError only when every target said so. */
  async #first<T>(key: string, fn: (t: Storage) => Promise<T>): Promise<T> {
    let failure: unknown;
    for (const target of this.#targets) {
      try {
        return await fn(target);
      } catch (err) {
        if (!(err instanceof NotFoundError)) failure ??= err;
      }
    }
    throw failure ?? new NotFoundError(key, this.uri);
  }

  protected async statKey(key: string): Promise<ObjectInfo> {
    return this.#first(key, (t) => t.stat(key));
  }

  protected async openRange(key: string, range: ClampedRange, info: ObjectInfo): Promise<Readable> {
    // pinned to the version stat'd (a target holding another version answers ChangedError)
    const pin = info.etag === undefined ? {} : { ifMatch: info.etag };
    return this.#first(key, (t) => t.readStream(key, { offset: range.start, length: range.length, ...pin }));
  }

  override async getLocalFile(key: string, options: LocalFileOptions = {}): Promise<LocalFile> {
    const k = this.key(key);
    return this.#first(k, (t) => t.getLocalFile(k, options));
  }

  protected async writeKey(key: string, source: ByteSource, ifAbsent: boolean): Promise<void> {
    // one spool replayed to every target: memory stays flat whatever their number
    const spool = await this.tempScope.createFile({ prefix: "mirror" });
    try {
      await writeToFile(source, spool.path);
      const [primary, ...others] = this.#targets;
      await primary!.putLocalFile(spool.path, key, { ifAbsent });
      const results = await Promise.allSettled(others.map((t) => t.putLocalFile(spool.path, key)));
      this.#partial(results, others, `write of "${key}"`);
    } finally {
      await spool.release();
    }
  }

  /** A failure on a target after the primary succeeded: the mirror is incomplete until repaired. */
  #partial(results: PromiseSettledResult<unknown>[], targets: Storage[], what: string): void {
    const failed = results.flatMap((r, i) => (r.status === "rejected" ? [[targets[i]!.uri, r.reason as Error] as const] : []));
    if (failed.length === 0) return;
    const list = failed.map(([uri, err]) => `${uri} (${err.message})`).join("; ");
    throw new StorageError(`${what} in ${this.uri} reached the primary but not ${list}; run "skybutler mirror repair ${this.uri}" (repairMirror) once they are back`, { cause: failed[0]![1] });
  }

  protected async deleteKey(key: string): Promise<void> {
    const [primary, ...others] = this.#targets;
    let found = false;
    try {
      await primary!.delete(key);
      found = true;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err; // a refusal of the primary leaves every copy
    }
    const results = await Promise.allSettled(others.map((t) => t.delete(key)));
    found ||= results.some((r) => r.status === "fulfilled");
    const failures = results.map((r) => (r.status === "rejected" && !(r.reason instanceof NotFoundError) ? r : { status: "fulfilled" as const, value: undefined }));
    this.#partial(failures, others, `delete of "${key}"`);
    if (!found) throw new NotFoundError(key, this.uri);
  }

  protected override async copyKey(from: string, to: string, ifAbsent: boolean): Promise<void> {
    const [primary, ...others] = this.#targets;
    await primary!.copy(from, to, { ifAbsent });
    const results = await Promise.allSettled(others.map((t) => t.copy(from, to)));
    this.#partial(results, others, `copy to "${to}"`);
  }

  protected listKeys(prefix: string, shallow: boolean): AsyncIterable<string> {
    return mergeSorted(this.#targets.map((t) => t.list({ prefix, shallow })));
  }

  /** Whether any target has the object as expected. */
  override async available(key: string, expected?: AvailableOptions): Promise<boolean> {
    const k = this.key(key);
    for (const t of this.#targets) if (await t.available(k, expected).catch(() => false)) return true;
    return false;
  }

  /** The capacity of the target with the least free space (each holds everything), and each target's. */
  protected async statisticsOf(options: StatisticsOptions): Promise<StorageStatistics> {
    const each = await Promise.all(this.#targets.map(async (t) => ({ uri: t.uri, ...(await t.statistics()) })));
    const known = each.filter((s) => s.capacity !== null);
    const capacity = known.length === 0 ? null : known.reduce((a, b) => (b.capacity!.free < a.capacity!.free ? b : a)).capacity;
    const stats: StorageStatistics = { capacity, mirror: { targets: each } };
    if (options.count !== true) return stats;
    let objects = 0;
    let bytes = 0;
    for await (const key of this.listKeys("", false)) {
      try {
        bytes += (await this.statKey(key)).size;
        objects++;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    return { ...stats, objects, bytes };
  }

  /**
   * Copies every object that a target lacks from the first target that has it; a target whose
   * `available(key, {size})` is true is skipped.
   * @throws StorageError from the targets
   */
  async repair(): Promise<RepairReport> {
    this.assertOpen();
    const report: RepairReport = { keys: 0, copied: Object.fromEntries(this.#targets.map((t) => [t.uri, 0])), skipped: 0 };
    for await (const key of this.listKeys("", false)) {
      report.keys++;
      let source: { target: Storage; info: ObjectInfo } | undefined;
      for (const target of this.#targets) {
        try {
          source = { target, info: await target.stat(key) };
          break;
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }
      if (source === undefined) continue; // deleted meanwhile
      for (const target of this.#targets) {
        if (target === source.target) continue;
        if (await target.available(key, { size: source.info.size })) {
          report.skipped++;
          continue;
        }
        await target.writeStream(key, await source.target.readStream(key));
        report.copied[target.uri]!++;
      }
    }
    return report;
  }

  protected async closeResources(): Promise<void> {
    await Promise.all(this.#targets.map((t) => t.close()));
  }
}

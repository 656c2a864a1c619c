/**
 * Local files into a storage: bounded parallelism, `--skip-existing`, each file stored atomically
 * by the storage (`putLocalFile`: Swift sends its MD5, a skybutler server checks it), one file's
 * failure recorded and the rest carried on.
 *
 * @packageDocumentation
 */
import { NotFoundError } from "../errors.js";
import { normalizeKey } from "../storage/keys.js";
import type { Storage } from "../storage/index.js";
import { forEachBounded } from "./bounded.js";
import { sameContent } from "./same-content.js";
import { TransferReport } from "./transfer-report.js";

/** One file to store. */
export interface PushItem {
  /** Absolute local path. */
  path: string;
  size: number;
  /** The object key (checked here: a malformed key is that file's failure). */
  key: string;
  /** The local path as the user named it, for reports. */
  shown: string;
  /** Set when the caller already refused the item (e.g. a name outside the mapped location): recorded as its failure. */
  refused?: Error;
}

/** Options of {@link pushFiles}. */
export interface TransferOptions {
  /** Files in flight at once. Default 8. */
  jobs?: number;
  /** Leave files whose content the other side already has (see `same-content.ts`). */
  skipExisting?: boolean;
  /**
   * Pull: fsync each file written (default true). False keeps every file atomic (temp file and
   * rename) without the per-file fsyncs, which cost more than a small file's transfer; see
   * `WriteOptions.durable`.
   */
  durable?: boolean;
  /** Called after each file (transferred, skipped or failed) with its bytes. */
  onFile?(bytes: number): void;
}

/**
 * Stores every item; never throws for one file's failure (see the report).
 * @throws what the item sequence throws (e.g. the local directory is missing)
 */
export async function pushFiles(items: AsyncIterable<PushItem> | Iterable<PushItem>, storage: Storage, options: TransferOptions = {}): Promise<TransferReport> {
  const report = new TransferReport();
  await forEachBounded(items, options.jobs ?? 8, async (item) => {
    try {
      if (item.refused !== undefined) throw item.refused;
      const key = normalizeKey(item.key);
      if (options.skipExisting === true) {
        const info = await storage.stat(key).catch((err: unknown) => {
          if (err instanceof NotFoundError) return undefined;
          throw err;
        });
        if (info !== undefined && (await sameContent(item.path, item.size, storage, info))) {
          report.skip({ key, local: item.shown, bytes: item.size });
          return;
        }
      }
      await storage.putLocalFile(item.path, key);
      report.done({ key, local: item.shown, bytes: item.size });
    } catch (err) {
      report.fail(item.key, item.shown, err);
    } finally {
      options.onFile?.(item.size);
    }
  });
  return report;
}

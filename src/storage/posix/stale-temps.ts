/**
 * The sweep of temp files that killed writers left beside their destinations: a file is stale
 * when its writer (named in it, see `temp-name.ts`) was a process of this host that no longer
 * exists, or, for any writer (another host's, an older name without one), when it was last
 * modified longer ago than a bound — a live writer keeps writing its file or commits it soon.
 *
 * @packageDocumentation
 */
import type { Dirent } from "node:fs";
import { lstat, readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { processAlive } from "../../temp/index.js";
import type { SweepOptions, SweepReport } from "../storage.js";
import { HOST_TAG, isTempName, tempOwner } from "./temp-name.js";

/** Files untouched this long are stale whoever wrote them (a day: no write pauses that long). */
export const DEFAULT_STALE_AFTER_MS = 24 * 3600 * 1000;

/**
 * Finds (and unless `dryRun`, removes) the stale temp files below a root directory. Symbolic links
 * are never followed; an entry that vanishes or cannot be removed meanwhile is skipped.
 */
export async function sweepStaleTemps(root: string, options: SweepOptions = {}): Promise<SweepReport> {
  const staleAfter = options.olderThanMs ?? DEFAULT_STALE_AFTER_MS;
  const report: SweepReport = { files: 0, bytes: 0 };
  const now = Date.now();
  const dirs = [root];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue; // removed meanwhile, or not ours to read
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) dirs.push(path);
      if (!entry.isFile() || !isTempName(entry.name)) continue;
      const owner = tempOwner(entry.name);
      const info = await lstat(path).catch(() => undefined);
      if (info === undefined) continue;
      const deadWriter = owner !== undefined && owner.host === HOST_TAG && owner.pid !== process.pid && !processAlive(owner.pid);
      if (!deadWriter && now - info.mtimeMs < staleAfter) continue;
      if (options.dryRun !== true) {
        try {
          await unlink(path);
        } catch {
          continue;
        }
      }
      report.files++;
      report.bytes += info.size;
    }
  }
  return report;
}

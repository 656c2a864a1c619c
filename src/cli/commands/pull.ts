/**
 * `skybutler pull <uri> <local-dir> [--prefix P] [--substr S] [--jobs N] [--skip-existing]`:
 * objects into a local directory at their key, streamed and written atomically (temp file, rename;
 * without an fsync per file unless `--fsync`: a pull can be made again, and `--skip-existing`
 * checks size and MD5, while the fsyncs cost more than a small file's transfer). An object whose
 * name would land outside the directory (`../x`, `/abs/x`, `a/../../x`) is refused with
 * E_INVALID_KEY and counted; the others go on.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { join } from "node:path";
import { PosixStorage } from "../../storage/posix/posix-storage.js";
import { storageFromUri } from "../../storage/index.js";
import { pullObjects, type PullItem } from "../../transfer/pull.js";
import { outputOf } from "../global-options.js";
import { parseJobs } from "../jobs-option.js";
import { TransferProgress } from "../progress.js";
import { finishTransfer } from "./transfer-outcome.js";

/** Registers `pull`. */
export function registerPull(program: Command): void {
  program
    .command("pull")
    .description("fetch objects of a storage into a local directory, at their key")
    .argument("<uri>", "source storage root")
    .argument("<local-dir>", "destination directory (created when missing)")
    .option("--prefix <p>", "only keys that start with this")
    .option("--substr <s>", "only keys that contain this")
    .option("-j, --jobs <n>", "files in flight at once (1-256)", parseJobs, 8)
    .option("--skip-existing", "leave files the directory already has (same size and MD5)")
    .option("--fsync", "make each file durable before the next (slower; a crash then loses none)")
    .action(async (uri: string, dir: string, opts: { prefix?: string; substr?: string; jobs: number; skipExisting?: boolean; fsync?: boolean }, command: Command) => {
      const out = outputOf(command);
      const source = await storageFromUri(uri);
      const target = await PosixStorage.open(dir, { create: true }).catch(async (err: unknown) => {
        await source.close();
        throw err;
      });
      const progress = new TransferProgress(out);
      try {
        async function* items(): AsyncGenerator<PullItem> {
          for await (const key of source.list({ prefix: opts.prefix })) {
            if (opts.substr === undefined || key.includes(opts.substr)) yield { key, local: key, shown: join(dir, key) };
          }
        }
        const report = await pullObjects(items(), source, target, { jobs: opts.jobs, skipExisting: opts.skipExisting === true, durable: opts.fsync === true, onFile: (b) => progress.file(b) });
        progress.stop();
        finishTransfer(out, report, "pulled");
      } finally {
        progress.stop();
        await Promise.all([source.close(), target.close()]);
      }
    });
}

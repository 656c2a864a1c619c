/**
 * `skybutler push <local-dir> <uri> [--jobs N] [--skip-existing]`: every file below a local
 * directory stored at its relative path, streamed, `--jobs` at a time, one summary line.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { join } from "node:path";
import { storageFromUri } from "../../storage/index.js";
import { walkFiles } from "../../transfer/local-files.js";
import { pushFiles, type PushItem } from "../../transfer/push.js";
import { outputOf } from "../global-options.js";
import { parseJobs } from "../jobs-option.js";
import { TransferProgress } from "../progress.js";
import { finishTransfer } from "./transfer-outcome.js";

/** Registers `push`. */
export function registerPush(program: Command): void {
  program
    .command("push")
    .description("store every file below a local directory into a storage, at its relative path")
    .argument("<local-dir>", "directory to upload")
    .argument("<uri>", "destination storage root (created when missing)")
    .option("-j, --jobs <n>", "files in flight at once (1-256)", parseJobs, 8)
    .option("--skip-existing", "leave files the destination already has (same size and MD5)")
    .action(async (dir: string, uri: string, opts: { jobs: number; skipExisting?: boolean }, command: Command) => {
      const out = outputOf(command);
      let total: number | undefined;
      if (out.interactive) {
        total = 0;
        for await (const _ of walkFiles(dir)) total++;
      }
      const storage = await storageFromUri(uri, { create: true });
      const progress = new TransferProgress(out, total);
      try {
        async function* items(): AsyncGenerator<PushItem> {
          for await (const f of walkFiles(dir)) yield { path: f.path, size: f.size, key: f.relative, shown: join(dir, f.relative) };
        }
        const report = await pushFiles(items(), storage, { jobs: opts.jobs, skipExisting: opts.skipExisting === true, onFile: (b) => progress.file(b) });
        progress.stop();
        finishTransfer(out, report, "pushed");
      } finally {
        progress.stop();
        await storage.close();
      }
    });
}

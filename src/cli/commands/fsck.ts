/**
 * `skybutler fsck <repo> [--repair]`: compares a repository's dataset records with its storage.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { outputOf } from "../global-options.js";
import { parseJobs } from "../jobs-option.js";
import { UsageError } from "../../errors.js";

/** `--stale-after`: whole seconds, 0 or more. @throws UsageError */
function parseSeconds(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`--stale-after takes whole seconds (0 or more), not ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

/** Registers `fsck`. */
export function registerFsck(program: Command): void {
  program
    .command("fsck")
    .description("check a repository's dataset records against its storage: missing objects, orphans, size/checksum mismatches (exit 1 on damage)")
    .argument("<repo>", "repository (path or URI)")
    .option("--repair", "re-register orphan objects and drop the records of missing objects")
    .option("--no-checksums", "compare sizes only (do not read every object)")
    .option("-j, --jobs <n>", "objects checked at once (1-256)", parseJobs, 8)
    .option("--all-types", "also call unrecorded objects of types never recorded here (e.g. ingested raws) orphans")
    .option("--stale-after <seconds>", "temp files of killed writers: those of any writer untouched this long are stale (a writer of this host that no longer runs: at once)", parseSeconds, 86400)
    .action(async (repo: string, opts: { repair?: boolean; checksums: boolean; jobs: number; allTypes?: boolean; staleAfter: number }, command: Command) => {
      const out = outputOf(command);
      const { formatFsckReport, fsckRepository } = await import("../../repository/fsck.js");
      const report = await fsckRepository(repo, { repair: opts.repair === true, checksums: opts.checksums, concurrency: opts.jobs, allTypes: opts.allTypes === true, staleAfterMs: opts.staleAfter * 1000 });
      const lines = formatFsckReport(report, { repair: opts.repair === true });
      // the findings are the result; the summary is a note (quiet hides it, the exit status remains)
      for (const line of lines.slice(0, -1)) out.line(line);
      out.note(lines[lines.length - 1]!);
      out.data(report);
      if (report.damaged) process.exitCode = 1;
    });
}

/**
 * `skybutler ingest <repo> FILE|DIR… [--mode copy|link|move]`: raw files into a repository at
 * their template paths, each registered in its `registry.sqlite3` from its own header by the
 * camera's ingest rules — atomically per file, idempotent on a re-run (a file ingested already is
 * counted as skipped), a failed file one `E_CODE: file: message` line while the others go on, a
 * progress bar on a terminal and one summary line.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { stat } from "node:fs/promises";
import { UsageError } from "../../errors.js";
import type { IngestMode } from "../../repository/index.js";
import { walkFiles } from "../../transfer/local-files.js";
import { TransferReport } from "../../transfer/transfer-report.js";
import { outputOf } from "../global-options.js";
import { TransferProgress } from "../progress.js";
import { withButler } from "../with-butler.js";
import { finishTransfer } from "./transfer-outcome.js";

const MODES: readonly IngestMode[] = ["copy", "link", "move"];

function parseMode(text: string): IngestMode {
  if (!(MODES as readonly string[]).includes(text)) throw new UsageError(`--mode must be one of ${MODES.join(", ")}, got "${text}"`);
  return text as IngestMode;
}

/** Registers `ingest`. */
export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description("store raw files at their template paths and register them from their headers")
    .argument("<repo>", "repository (path or URI); it must exist")
    .argument("<files...>", "files, or directories to ingest every file below")
    .option("--mode <mode>", "copy, link (a hard link; a symbolic one across filesystems) or move", parseMode, "copy")
    .action(async (repo: string, files: string[], opts: { mode: IngestMode }, command: Command) => {
      const out = outputOf(command);
      // directories are walked once for the bar's total, when there is a bar to draw
      const total = out.interactive ? await countFiles(files) : undefined;
      const progress = new TransferProgress(out, total);
      const report = new TransferReport();
      try {
        await withButler(
          repo,
          async (butler) => {
            await butler.ingest(expand(files), {
              mode: opts.mode,
              onFile: ({ file, outcome, error }) => {
                if (outcome === undefined) report.fail(file, file, error);
                else if (outcome.status === "unchanged") report.skip({ key: outcome.uri, local: file, bytes: outcome.bytes });
                else report.done({ key: outcome.uri, local: file, bytes: outcome.bytes });
                progress.file(outcome?.bytes ?? 0);
              },
            });
          },
          { write: true },
        );
      } finally {
        progress.stop();
      }
      finishTransfer(out, report, "ingested");
    });
}

/** The files named, and every file below the directories named, lazily. */
async function* expand(paths: readonly string[]): AsyncGenerator<string> {
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory() === true) for await (const f of walkFiles(path)) yield f.path;
    else yield path; // a missing file is that file's failure
  }
}

async function countFiles(paths: readonly string[]): Promise<number> {
  let n = 0;
  for await (const _ of expand(paths)) n++;
  return n;
}

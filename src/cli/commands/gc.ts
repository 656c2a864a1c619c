/**
 * `skybutler gc <uri> [--grace <ms>]`: removes the blobs of a `skybutler:dedup` storage that no key
 * references, safely while other processes put and delete.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { gcDedup } from "../../storage/index.js";
import { formatBytes } from "../../transfer/transfer-report.js";
import { outputOf } from "../global-options.js";

function graceMs(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--grace must be a whole number of milliseconds, got "${text}"`);
  return n;
}

/** Registers `gc`. */
export function registerGc(program: Command): void {
  program
    .command("gc")
    .description("remove unreferenced blobs of a dedup storage (skybutler:dedup)")
    .argument("<uri>", "the dedup storage, NAME://ROOT")
    .option("--grace <ms>", "pins of puts older than this are taken for crashed puts and dropped (default 3600000: 1 h)", graceMs)
    .action(async (uri: string, opts: { grace?: number }, command: Command) => {
      const out = outputOf(command);
      const report = await gcDedup(uri, opts.grace === undefined ? {} : { graceMs: opts.grace });
      out.note(`removed ${report.removed} unreferenced blob${report.removed === 1 ? "" : "s"} (${formatBytes(report.freedBytes)}); kept ${report.kept}`);
      out.data(report);
    });
}

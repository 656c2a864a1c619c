/**
 * `skybutler ls <uri> [prefix] [--long] [--shallow]`: the objects of any storage URI (a path,
 * `file://`, `swift://`, `skybutler+http://`), with sizes and times when `--long`.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { storageFromUri, type ObjectInfo } from "../../storage/index.js";
import { forEachBounded } from "../../transfer/bounded.js";
import { outputOf } from "../global-options.js";

const BATCH = 256;

/** Registers `ls`. */
export function registerLs(program: Command): void {
  program
    .command("ls")
    .description("list the objects of a storage (a path, file://, swift://, skybutler+http://)")
    .argument("<uri>", "storage root")
    .argument("[prefix]", "only keys that start with this")
    .option("-l, --long", "sizes and modification times too")
    .option("--shallow", "one level: deeper keys rolled up into DIR/ entries")
    .action(async (uri: string, prefix: string | undefined, opts: { long?: boolean; shallow?: boolean }, command: Command) => {
      const out = outputOf(command);
      const storage = await storageFromUri(uri);
      const all: unknown[] = [];
      try {
        let batch: string[] = [];
        const flush = async (): Promise<void> => {
          const infos: Array<ObjectInfo | undefined> = new Array(batch.length);
          // stats of a batch in parallel, printed in listing order; rolled-up "dir/" entries have none
          if (opts.long === true) await forEachBounded(batch.keys(), 16, async (i) => void (infos[i] = batch[i]!.endsWith("/") ? undefined : await storage.stat(batch[i]!)));
          batch.forEach((key, i) => {
            const info = infos[i];
            if (out.json) all.push(opts.long === true ? { key, size: info?.size ?? null, modified: info?.modified.toISOString() ?? null, etag: info?.etag ?? null } : key);
            else if (opts.long === true) out.line(`${String(info?.size ?? "-").padStart(14)}  ${(info?.modified.toISOString() ?? "-").padEnd(24)}  ${key}`);
            else out.line(key);
          });
          batch = [];
        };
        for await (const key of storage.list({ prefix, shallow: opts.shallow === true })) {
          batch.push(key);
          if (batch.length >= BATCH) await flush();
        }
        await flush();
        out.data(all);
      } finally {
        await storage.close();
      }
    });
}

/**
 * `skybutler get <repo> <type> k=v… [-o FILE|DIR|-]`: the stored bytes of a dataset, found through
 * the repository and its parents like `butler.get`, streamed (memory stays flat) into a file written
 * atomically — by default the stored name (`v1_fg_c00.fits`, or `….fits.gz` for a gzip copy) in the
 * current directory — or to stdout with `-o -`.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { once } from "node:events";
import { stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { UsageError } from "../../errors.js";
import { PosixStorage } from "../../storage/posix/posix-storage.js";
import { parseDataId } from "../data-id-args.js";
import { outputOf } from "../global-options.js";
import { withButler } from "../with-butler.js";

/** Registers `get`. */
export function registerGet(program: Command): void {
  program
    .command("get")
    .description("the stored bytes of a dataset (found in the repository or its parents)")
    .argument("<repo>", "repository (path or URI)")
    .argument("<type>", "dataset type")
    .argument("[dataId...]", "key=value pairs")
    .option("-o, --output <file>", "a file, a directory (the stored name in it), or - for stdout (default: the stored name here)")
    .action(async (repo: string, type: string, words: string[], opts: { output?: string }, command: Command) => {
      const out = outputOf(command);
      const dataId = parseDataId(words);
      if (opts.output === "-" && out.json) throw new UsageError("-o - writes the bytes to stdout, where --json would write too; choose one");
      await withButler(repo, async (butler) => {
        const stored = await butler.openStored(type, dataId);
        if (opts.output === "-") {
          await toStdout(await stored.open());
          return;
        }
        const path = await targetPath(opts.output, stored.name);
        const local = await PosixStorage.open(dirname(path));
        try {
          await local.writeStream(basename(path), await stored.open());
        } finally {
          await local.close();
        }
        out.line(path);
        out.data({ file: path, bytes: stored.size, mediaType: stored.mediaType, datasetType: stored.datasetType, dataId: stored.dataId });
      });
    });
}

/** The file to write: `-o` as given, inside it when it is a directory, else the stored name here. */
async function targetPath(output: string | undefined, storedName: string): Promise<string> {
  if (output === undefined) return resolve(storedName);
  const info = await stat(output).catch(() => undefined);
  return info?.isDirectory() === true ? resolve(join(output, storedName)) : resolve(output);
}

async function toStdout(stream: Readable): Promise<void> {
  for await (const chunk of stream) {
    if (!process.stdout.write(chunk as Buffer)) await once(process.stdout, "drain");
  }
}

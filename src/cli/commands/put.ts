/**
 * `skybutler put <repo> <type> k=v… FILE`: a file (or `-`, stdin) stored as a dataset, once the
 * dataset's formatter checked it (a FITS dataset must parse as FITS), atomically, with the
 * repository's records — the command line's `butler.put` for bytes made elsewhere.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { stat } from "node:fs/promises";
import { NotFoundError, UsageError } from "../../errors.js";
import { parseDataId } from "../data-id-args.js";
import { outputOf } from "../global-options.js";
import { withButler } from "../with-butler.js";

/** Registers `put`. */
export function registerPut(program: Command): void {
  program
    .command("put")
    .description("store a file as a dataset, once its formatter checked it (FITS must parse as FITS)")
    .argument("<repo>", "repository (path or URI); it must exist")
    .argument("<type>", "dataset type")
    .argument("<args...>", "key=value pairs, then the file (- for stdin)")
    .option("--backup", "keep every version as <file>~1, ~2, … (the replaced one and the new one)")
    .action(async (repo: string, type: string, args: string[], opts: { backup?: boolean }, command: Command) => {
      const out = outputOf(command);
      const file = args.at(-1)!;
      if (args.length === 0 || (file.includes("=") && file !== "-")) throw new UsageError("the last argument is the file to store (or - for stdin), after the key=value pairs");
      const dataId = parseDataId(args.slice(0, -1));
      if (file !== "-") {
        const info = await stat(file).catch((err: unknown) => {
          throw new NotFoundError(file, "the local filesystem", { cause: err });
        });
        if (!info.isFile()) throw new NotFoundError(file, "the local filesystem (not a regular file)");
      }
      await withButler(
        repo,
        async (butler) => {
          const completed = await butler.putStored(file === "-" ? process.stdin : file, type, dataId, { doBackup: opts.backup === true });
          const uri = await butler.getUri(type, completed);
          out.note(`stored ${type} ${JSON.stringify(completed)} at ${uri}`);
          out.data({ datasetType: type, dataId: completed, uri });
        },
        { write: true },
      );
    });
}

/**
 * `skybutler uri <repo> <type> k=v...`: where a dataset is (getUri).
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { parseDataId } from "../data-id-args.js";
import { outputOf } from "../global-options.js";
import { withButler } from "../with-butler.js";

/** Registers `uri`. */
export function registerUri(program: Command): void {
  program
    .command("uri")
    .description("where a dataset is")
    .argument("<repo>", "repository (path or URI)")
    .argument("<type>", "dataset type")
    .argument("[dataId...]", "key=value pairs")
    .action(async (repo: string, type: string, words: string[], _opts: unknown, command: Command) => {
      const out = outputOf(command);
      const dataId = parseDataId(words);
      await withButler(repo, async (b) => {
        const uri = await b.getUri(type, dataId);
        out.line(uri);
        out.data({ uri });
      });
    });
}

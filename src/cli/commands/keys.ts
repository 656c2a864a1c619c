/**
 * `skybutler keys <repo> <type>`: the data id keys of a dataset type and their types.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { outputOf } from "../global-options.js";
import { withButler } from "../with-butler.js";

/** Registers `keys`. */
export function registerKeys(program: Command): void {
  program
    .command("keys")
    .description("data id keys of a dataset type")
    .argument("<repo>", "repository (path or URI)")
    .argument("<type>", "dataset type")
    .action(async (repo: string, type: string, _opts: unknown, command: Command) => {
      const out = outputOf(command);
      await withButler(repo, async (b) => {
        const keys = b.getKeys(type);
        for (const [k, t] of Object.entries(keys)) out.line(`${k}\t${t}`);
        out.data(keys);
      });
    });
}

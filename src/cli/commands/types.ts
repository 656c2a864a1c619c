/**
 * `skybutler types <repo>`: the dataset types of the repository's mapper.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { outputOf } from "../global-options.js";
import { withButler } from "../with-butler.js";

/** Registers `types`. */
export function registerTypes(program: Command): void {
  program
    .command("types")
    .description("dataset types of the repository's mapper")
    .argument("<repo>", "repository (path or URI)")
    .action(async (repo: string, _opts: unknown, command: Command) => {
      const out = outputOf(command);
      await withButler(repo, async (b) => {
        const types = b.getDatasetTypes();
        for (const t of types) out.line(t);
        out.data(types);
      });
    });
}

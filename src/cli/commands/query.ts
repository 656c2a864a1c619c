/**
 * `skybutler query <repo> <type> <key>... [--where k=v]...`: registry values (queryMetadata).
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { parseDataId } from "../data-id-args.js";
import { outputOf } from "../global-options.js";
import { withButler } from "../with-butler.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Registers `query`. */
export function registerQuery(program: Command): void {
  program
    .command("query")
    .description("registry values of data id keys (queryMetadata)")
    .argument("<repo>", "repository (path or URI)")
    .argument("<type>", "dataset type")
    .argument("<keys...>", "keys to report")
    .option("-w, --where <k=v>", "restrict to this data id value (repeatable)", collect, [])
    .action(async (repo: string, type: string, keys: string[], opts: { where: string[] }, command: Command) => {
      const out = outputOf(command);
      const where = parseDataId(opts.where);
      await withButler(repo, async (b) => {
        const rows = await b.queryMetadata(type, keys, where);
        for (const row of rows) out.line(Array.isArray(row) ? row.join("\t") : String(row));
        out.data(rows);
      });
    });
}

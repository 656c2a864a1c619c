/**
 * `skybutler modules ls`: every configured module — name, module, description and args, with
 * secret-looking args shown as `***`.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { listStorageModules, storageModulesPath } from "../../storage/index.js";
import { outputOf } from "../global-options.js";

/** Registers `modules ls`. */
export function registerModulesLs(modules: Command): void {
  modules
    .command("ls")
    .description("list the configured storage modules (secrets in args shown as ***)")
    .action(async (_opts: unknown, command: Command) => {
      const out = outputOf(command);
      const file = storageModulesPath();
      const listed = await listStorageModules(file);
      const names = Object.keys(listed).sort();
      if (names.length === 0) out.note(`no storage modules in ${file}; add one with: skybutler modules add NAME --module skybutler:checksum --arg over=swift://`);
      else out.note(`# ${file}`);
      const width = Math.max(0, ...names.map((n) => n.length));
      for (const name of names) {
        const entry = listed[name]!;
        out.line(`${name.padEnd(width)}  ${entry.module}${entry.description === undefined ? "" : `  ${entry.description}`}`);
        if (entry.args !== undefined && Object.keys(entry.args).length > 0) out.line(`${" ".repeat(width)}  args ${JSON.stringify(entry.args)}`);
      }
      out.data({ file, modules: listed });
    });
}

/**
 * `skybutler modules rm NAME [--force]`: removes a storage module from the file. A module that
 * others wrap (their `args.over` names `NAME://`) is kept unless `--force`.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { ConfigError } from "../../errors.js";
import { errorFromCode } from "../../error-from-code.js";
import { modulesOver, readStorageModules, removeStorageModule, storageModulesPath } from "../../storage/index.js";
import { outputOf } from "../global-options.js";

/** Registers `modules rm`. */
export function registerModulesRm(modules: Command): void {
  modules
    .command("rm")
    .description("remove a storage module (its stored data is left alone)")
    .argument("<name>", "module name")
    .option("-f, --force", "remove it even when other modules wrap it")
    .action(async (name: string, opts: { force?: boolean }, command: Command) => {
      const out = outputOf(command);
      const file = storageModulesPath();
      const wrappers = modulesOver(name, await readStorageModules(file));
      if (wrappers.length > 0 && opts.force !== true) {
        throw new ConfigError(`storage module "${name}" is wrapped by ${wrappers.map((w) => `"${w}"`).join(", ")}; remove those first, or pass --force`);
      }
      if (!(await removeStorageModule(name, { file }))) throw errorFromCode("E_NOT_FOUND", `no storage module "${name}" in ${file}; see skybutler modules ls`, { key: name });
      out.note(`removed storage module "${name}" from ${file}; its stored data is left alone`);
      out.data({ name, removed: true, file });
    });
}

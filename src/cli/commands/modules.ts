/**
 * `skybutler modules ls|add|rm|stats`: the storage modules of `storage-modules.yaml`
 * (`$SKYBUTLER_STORAGE_MODULES`, else `$XDG_CONFIG_HOME/skybutler/storage-modules.yaml`), one file
 * per subcommand. Secrets in args are never printed.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { registerModulesAdd } from "./modules-add.js";
import { registerModulesLs } from "./modules-ls.js";
import { registerModulesRm } from "./modules-rm.js";
import { registerModulesStats } from "./modules-stats.js";

/** Registers `modules` and its subcommands. */
export function registerModules(program: Command): void {
  const modules = program
    .command("modules")
    .description("storage modules by configuration: list, add, remove, statistics")
    .addHelpText("after", "\nThe file is $SKYBUTLER_STORAGE_MODULES, else $XDG_CONFIG_HOME/skybutler/storage-modules.yaml.");
  registerModulesLs(modules);
  registerModulesAdd(modules);
  registerModulesRm(modules);
  registerModulesStats(modules);
}

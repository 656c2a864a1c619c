/**
 * `skybutler modules add NAME --module M [--description D] [--arg key=value…] [--args-json JSON|@FILE|-]`:
 * adds (or replaces) a storage module, atomically and under the file's lock. Secrets are best given
 * with `--args-json @FILE` or `-` (stdin): an `--arg` is visible in the process list.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { addStorageModule, redactArgs, storageModulesPath, type StorageModuleEntry } from "../../storage/index.js";
import { outputOf } from "../global-options.js";
import { collectArg, parseArgPairs, readArgsJson } from "../module-args.js";

interface AddFlags {
  module: string;
  description?: string;
  arg?: string[];
  argsJson?: string;
}

/** Registers `modules add`. */
export function registerModulesAdd(modules: Command): void {
  modules
    .command("add")
    .description("add or replace a storage module: NAME becomes the URI scheme NAME://")
    .argument("<name>", "module name (the URI scheme): two or more of a-z 0-9 + - . starting with a letter")
    .requiredOption("-m, --module <module>", "package#Export, ./file.js#Export (relative to the YAML file) or skybutler:<wrapper>")
    .option("-d, --description <text>", "what the module is for")
    .option("-a, --arg <key=value>", "an arg (repeatable; a key given twice becomes a list)", collectArg)
    .option("--args-json <json>", "args as a JSON object, @FILE, or - for stdin (keeps secrets off the command line)")
    .action(async (name: string, opts: AddFlags, command: Command) => {
      const out = outputOf(command);
      const args = { ...(opts.argsJson === undefined ? {} : await readArgsJson(opts.argsJson)), ...parseArgPairs(opts.arg ?? []) };
      const entry: StorageModuleEntry = {
        module: opts.module,
        ...(opts.description === undefined ? {} : { description: opts.description }),
        ...(Object.keys(args).length === 0 ? {} : { args }),
      };
      const file = storageModulesPath();
      const replaced = await addStorageModule(name, entry, { file });
      out.note(`${replaced ? "replaced" : "added"} storage module "${name}" (${entry.module}) in ${file}; open it as ${name}://ROOT`);
      out.data({ name, replaced, file, entry: { ...entry, ...(entry.args === undefined ? {} : { args: redactArgs(entry.args) }) } });
    });
}

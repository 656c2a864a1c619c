/**
 * The `skybutler` program (commander): the commands, the options every command takes, and
 * pfstorage's `--msg` mode when no command is given.
 *
 * @packageDocumentation
 */
import { Command } from "commander";
import { UsageError } from "../errors.js";
import { packageVersion } from "../pfstorage/package-version.js";
import { COMMANDS } from "./commands/index.js";
import type { GlobalFlags } from "./global-options.js";

/** Builds the program; `exitOverride` makes commander throw instead of exiting (see `main.ts`). */
export function createProgram(): Command {
  const program = new Command("skybutler")
    .description("data butler repositories from the command line, and their HTTP server")
    .version(packageVersion(), "-V, --version")
    .option("-q, --quiet", "print nothing but errors")
    .option("--json", "print results as JSON")
    .option("--msg <json>", "run a pfstorage message (actions ls, objPut/objPush, objPull, hello)")
    .option("--storage <uri>", "the storage of --msg (and of serve's /api/v1/cmd)")
    .option("--type <type>", "pfstorage: storage type (swift)")
    .option("--ipSwift <host>", "pfstorage: Swift at http://HOST:PORT/auth/v1.0 with ST_USER/ST_KEY")
    .option("--portSwift <port>", "pfstorage: Swift port (default 8080)")
    .option("--container <name>", "pfstorage: Swift container (default users)")
    .exitOverride()
    .allowExcessArguments(true)
    .showSuggestionAfterError(true)
    .configureOutput({
      // commander's own usage errors become one `E_USAGE: …` line
      outputError: (text, write) => write(`E_USAGE: ${text.replace(/^error: /, "").trim()}\n`),
    });
  for (const register of COMMANDS) register(program);
  for (const command of program.commands) command.exitOverride().configureOutput({ outputError: (text, write) => write(`E_USAGE: ${text.replace(/^error: /, "").trim()}\n`) });
  program.action(async (flags: GlobalFlags) => {
    if (program.args.length > 0) throw new UsageError(`unknown command "${program.args[0]}"; see skybutler --help`);
    if (flags.msg === undefined) {
      program.outputHelp({ error: true });
      process.exitCode = 2;
      return;
    }
    const { runMsg } = await import("./run-msg.js");
    await runMsg(flags.msg, flags);
  });
  return program;
}

/**
 * The options every command understands (`--quiet`, `--json`) and pfstorage's storage flags
 * (`--storage URI`, or `--type swift --ipSwift H --portSwift P --container C`).
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { ConfigError, UsageError } from "../errors.js";
import { storageFromUri, type Storage } from "../storage/index.js";
import { CliOutput } from "./cli-output.js";

/** The program-wide flags, as commander parsed them. */
export interface GlobalFlags {
  quiet?: boolean;
  json?: boolean;
  msg?: string;
  storage?: string;
  type?: string;
  ipSwift?: string;
  portSwift?: string;
  container?: string;
}

/** The flags of the program, wherever on the line they were given. */
export function globalFlags(command: Command): GlobalFlags {
  return command.optsWithGlobals<GlobalFlags>();
}

/** The output of a command run with these flags. */
export function outputOf(command: Command): CliOutput {
  return new CliOutput(globalFlags(command));
}

/**
 * The storage pfstorage's flags name: `--storage URI`, or Swift at `http://IP:PORT/auth/v1.0`
 * with `ST_USER`/`ST_KEY` and container `--container` (default `users`), as pfstorage had it.
 * @throws UsageError when neither is given or `--type` is not `swift` (pfstorage silently did nothing);
 *   ConfigError when ST_USER/ST_KEY are missing; the storage's errors
 */
export async function flagStorage(flags: GlobalFlags, create: boolean): Promise<Storage> {
  if (flags.type !== undefined && flags.type !== "swift") throw new UsageError(`--type ${flags.type} is not supported; the only type is swift (or give --storage URI)`);
  if (flags.storage !== undefined) return storageFromUri(flags.storage, { create });
  if (flags.ipSwift === undefined && flags.portSwift === undefined) {
    throw new UsageError("this needs a storage: --storage URI, or --ipSwift HOST [--portSwift PORT] [--container NAME] with ST_USER and ST_KEY set");
  }
  const user = process.env.ST_USER;
  const key = process.env.ST_KEY;
  if (user === undefined || key === undefined) throw new ConfigError("--ipSwift needs the Swift user and key in ST_USER and ST_KEY");
  const authUrl = `http://${flags.ipSwift ?? "127.0.0.1"}:${flags.portSwift ?? "8080"}/auth/v1.0`;
  return storageFromUri(`swift://${flags.container ?? "users"}`, { create, authUrl, user, key });
}

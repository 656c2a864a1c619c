#!/usr/bin/env node
/**
 * `skybutler`: exit status 0 on success, 1 on an error (one line on stderr: `E_CODE: message`),
 * 2 on a usage error.
 *
 * ```sh
 * skybutler ls swift://rawdata/hsc raw/ --long
 * skybutler push ./night1 skybutler+http://127.0.0.1:4055/raw --jobs 16 --skip-existing
 * skybutler --msg '{"action":"ls","meta":{"path":"chris"}}' --ipSwift 127.0.0.1 --portSwift 8080
 * skybutler serve --repo testcam=data/testcam-repo --public-read --port 0
 * ```
 * @packageDocumentation
 */
import { CommanderError } from "commander";
import { UsageError } from "../errors.js";
import { errorLine } from "./cli-output.js";
import { createProgram } from "./program.js";

async function main(argv: string[]): Promise<void> {
  try {
    await createProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; commander already printed its usage error as `E_USAGE: …`
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`${errorLine(err)}\n`);
    if (process.env.SKYBUTLER_DEBUG !== undefined && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}

// a reader that went away (`skybutler ls … | head`) is not an error of ours
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

void main(process.argv);

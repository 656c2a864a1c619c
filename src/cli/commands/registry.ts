/**
 * `skybutler registry build <repo>`: the repository's `registry.sqlite3` rebuilt from the files it
 * stores, their headers read by the camera's ingest rules (Gen2's `genInputRegistry.py`). A file
 * whose header cannot be read is one `E_CODE: key: message` line, left out, and makes the exit
 * status 1.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { outputOf } from "../global-options.js";
import { withButler } from "../with-butler.js";

/**
 * The `registry` command group of a program: the existing one, or a new one. Every
 * `registry …` subcommand (build, migrate) attaches itself here, whichever registers first.
 */
export function registryGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === "registry") ?? program.command("registry").description("registry maintenance: registry build | migrate");
}

/** Registers `registry build`. */
export function registerRegistry(program: Command): void {
  registryGroup(program)
    .command("build")
    .description("rebuild registry.sqlite3 from the headers of the stored raw files")
    .argument("<repo>", "repository (path or URI); it must exist")
    .action(async (repo: string, _opts: unknown, command: Command) => {
      const out = outputOf(command);
      const report = await withButler(repo, (butler) => butler.buildRegistry(), { write: true });
      for (const f of report.failed) process.stderr.write(`${f.code}: ${f.key}: ${f.message.replace(/\s*\n\s*/g, " ")}\n`);
      out.note(`built registry.sqlite3: ${Object.entries(report.tables).map(([t, n]) => `${t} ${n} rows`).join(", ")}; ${report.failed.length} failed`);
      out.data(report);
      if (report.failed.length > 0) process.exitCode = 1;
    });
}

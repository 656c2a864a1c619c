/**
 * `skybutler registry migrate <repo> --to postgresql://…`: copies a repository's sqlite registry
 * and dataset records into PostgreSQL and switches the repository to it. A subcommand of the
 * `registry` command group ({@link registryGroup}).
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { outputOf } from "../global-options.js";
import { registryGroup } from "./registry.js";

/** Registers `registry migrate`. */
export function registerRegistryMigrate(program: Command): void {
  registryGroup(program)
    .command("migrate")
    .description("copy the sqlite registries and dataset records into PostgreSQL and switch the repository to it (readers see the old registry until the copy is complete)")
    .argument("<repo>", "repository (path or URI)")
    .requiredOption("--to <url>", "postgresql://user@host:port/database?schema=NAME[&calibSchema=NAME][&sslmode=verify-full&sslrootcert=FILE] (no password: PGPASSWORD or ~/.pgpass)")
    .option("--passfile <path>", "a pgpass-format file (mode 600, outside the repository) to name in registry.pgsql")
    .action(async (repo: string, opts: { to: string; passfile?: string }, command: Command) => {
      const out = outputOf(command);
      // PostgreSQL's client is loaded only for this command
      const { migrateRegistry } = await import("../../repository/registry-migrate.js");
      const result = await migrateRegistry(repo, { to: opts.to, ...(opts.passfile === undefined ? {} : { passfile: opts.passfile }) });
      const c = result.config;
      for (const [table, n] of Object.entries(result.tables)) out.line(`table ${c.schema}.${table}: ${n} row(s)`);
      for (const [table, n] of Object.entries(result.calibTables)) out.line(`table ${c.calibSchema}.${table}: ${n} row(s)`);
      out.line(`records: ${result.records} copied${result.caughtUp > 0 ? `, ${result.caughtUp} more written during the copy` : ""}`);
      out.note(`${repo} now uses PostgreSQL ${c.user}@${c.host}:${c.port}/${c.database} schema ${c.schema} (registry.pgsql written; the sqlite files are kept)`);
      out.data(result);
    });
}

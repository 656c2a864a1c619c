/**
 * `skybutler modules stats NAME [--root ROOT] [--count]`: a module's statistics — its own
 * `statistics()` for a vendor module (Mezeo's JSON with `capacity`), or those of the storage
 * `NAME://ROOT` — with secret-looking fields shown as `***`.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { moduleStatistics, redactArgs, type StorageStatistics } from "../../storage/index.js";
import { formatBytes } from "../../transfer/transfer-report.js";
import { outputOf } from "../global-options.js";

/** Registers `modules stats`. */
export function registerModulesStats(modules: Command): void {
  modules
    .command("stats")
    .description("statistics of a storage module: capacity, and objects and bytes with --count")
    .argument("<name>", "module name")
    .option("-r, --root <root>", "open NAME://ROOT and report that storage's statistics")
    .option("-c, --count", "count the objects and bytes below the root (a full listing)")
    .action(async (name: string, opts: { root?: string; count?: boolean }, command: Command) => {
      const out = outputOf(command);
      const stats = redactArgs(await moduleStatistics(name, { ...(opts.root === undefined ? {} : { root: opts.root }), count: opts.count === true })) as StorageStatistics;
      const { capacity, objects, bytes, ...rest } = stats;
      out.line(capacity === null ? "capacity: unknown" : `capacity: ${formatBytes(capacity.total)} total, ${formatBytes(capacity.used)} used, ${formatBytes(capacity.free)} free`);
      if (objects !== undefined) out.line(`objects: ${objects}${bytes === undefined ? "" : `, ${formatBytes(bytes)}`}`);
      for (const [figure, value] of Object.entries(rest)) out.line(`${figure}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
      out.data(stats);
    });
}

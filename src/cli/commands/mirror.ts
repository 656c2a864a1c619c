/**
 * `skybutler mirror repair <uri>`: completes every target of a `skybutler:mirror` storage (copies
 * what a target lacks; copies a target already has are skipped).
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { repairMirror } from "../../storage/index.js";
import { outputOf } from "../global-options.js";

/** Registers `mirror` and its subcommand `repair`. */
export function registerMirror(program: Command): void {
  program
    .command("mirror")
    .description("maintenance of mirror storages (skybutler:mirror)")
    .command("repair")
    .description("copy to each target of a mirror what it lacks")
    .argument("<uri>", "the mirror storage, NAME://ROOT")
    .action(async (uri: string, _opts: unknown, command: Command) => {
      const out = outputOf(command);
      const report = await repairMirror(uri);
      const copies = Object.entries(report.copied).map(([target, n]) => `${n} to ${target}`);
      out.note(`${report.keys} key${report.keys === 1 ? "" : "s"}; copied ${copies.length === 0 ? "nothing" : copies.join(", ")}; ${report.skipped} already there`);
      out.data(report);
    });
}

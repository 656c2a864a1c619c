/**
 * `skybutler info <repo> [--count]`: the repository and each parent — mapper, parents, registry
 * tables and their row counts, the storage's capabilities and statistics (with `--count`, its
 * objects and bytes too: a full listing).
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import type { RegistryDescription, RepositoryDescription } from "../../repository/index.js";
import { formatBytes } from "../../transfer/transfer-report.js";
import { outputOf } from "../global-options.js";
import { withButler } from "../with-butler.js";

/** Registers `info`. */
export function registerInfo(program: Command): void {
  program
    .command("info")
    .description("mapper, parents, registries (tables, rows), storage capabilities and statistics")
    .argument("<repo>", "repository (path or URI)")
    .option("--count", "also count the objects and bytes of each storage (lists them all)")
    .action(async (repo: string, opts: { count?: boolean }, command: Command) => {
      const out = outputOf(command);
      const described = await withButler(repo, (butler) => butler.describe({ count: opts.count === true }));
      described.forEach((d, i) => {
        if (i > 0) out.line("");
        for (const [label, text] of lines(d, i)) out.line(`${label.padEnd(14)}${text}`);
      });
      out.data(described);
    });
}

function lines(d: RepositoryDescription, index: number): Array<[string, string]> {
  const { capabilities, statistics } = d.storage;
  const can = [capabilities.localPath && "local paths", capabilities.rangedRead && "ranged reads", capabilities.metadata && "object metadata"].filter(Boolean).join(", ");
  const capacity = statistics.capacity === null ? "capacity unknown" : `${formatBytes(statistics.capacity.free)} free of ${formatBytes(statistics.capacity.total)}`;
  const out: Array<[string, string]> = [
    [index === 0 ? "repository" : "parent", `${d.root}${d.mode === "r" ? "" : ` (mode ${d.mode})`}`],
    ["mapper", `${d.mapper}${d.ingestType === null ? "" : ` (ingests ${d.ingestType})`}`],
    ["parents", d.parents.length === 0 ? "none" : d.parents.join(", ")],
    ["registry", registryText(d.registry, "registry.sqlite3")],
    ["calibRegistry", registryText(d.calibRegistry, "calibRegistry.sqlite3")],
    ["storage", `${d.storage.scheme}: ${can || "no extra capabilities"}; ${capacity}`],
  ];
  if (statistics.objects !== undefined) out.push(["objects", `${statistics.objects} (${formatBytes(statistics.bytes ?? 0)})`]);
  return out;
}

function registryText(r: RegistryDescription | null, file: string): string {
  if (r === null) return "none";
  const from = r.inherited ? " (a parent's)" : "";
  if (r.kind === "template") return `none: the names of the stored files stand in for one${from}`;
  const tables = Object.entries(r.tables ?? {}).map(([t, n]) => `${t} ${n} row${n === 1 ? "" : "s"}`);
  return `${file}${from}: ${tables.join(", ") || "no tables"}`;
}

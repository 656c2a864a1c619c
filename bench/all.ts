/**
 * `npm run bench:all`: every benchmark of the project in one go, each in its own process (each
 * starts the servers it needs), then one table of every row — skybutler's time, its peer's
 * measured in the same run, and the ratio — on stdout (`--json` for machines). The benchmarks'
 * own output goes to stderr as they run. `--only fits,swift` runs some of them.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchWorkDir, type BenchRow } from "./timing.js";

/** The benchmarks, in the order they run: name (for `--only`) and file. */
const BENCHES: ReadonlyArray<[string, string]> = [
  ["foundation", "run.ts"],
  ["small", "small-bench.ts"],
  ["fits", "fits-bench.ts"],
  ["butler", "butler-bench.ts"],
  ["swift", "swift-bench.ts"],
  ["service", "service-bench.ts"],
  ["modules", "modules-bench.ts"],
  ["records", "records-bench.ts"],
  ["pinned", "pinned-range-bench.ts"],
  ["pg", "pg-bench.ts"],
  ["render", "render-bench.ts"],
  ["storlets", "storlet-bench.ts"],
];

const args = process.argv.slice(2);
const json = args.includes("--json");
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? "").split(",").filter((s) => s !== "")) : undefined;
const unknown = [...(only ?? [])].filter((name) => !BENCHES.some(([n]) => n === name));
if (unknown.length > 0) {
  process.stderr.write(`E_USAGE: unknown benchmark(s) ${unknown.join(", ")}; known: ${BENCHES.map(([n]) => n).join(", ")}\n`);
  process.exit(2);
}

/** Runs one benchmark with its output on stderr; resolves with its exit status. */
function runBench(file: string, rowsFile: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(file, import.meta.url))], {
      env: { ...process.env, SKYBUTLER_BENCH_ROWS: rowsFile },
      stdio: ["ignore", process.stderr, process.stderr],
    });
    child.on("close", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

const dir = await benchWorkDir("bench-all");
const results: Array<{ bench: string; status: number; seconds: number; rows: BenchRow[] }> = [];
try {
  for (const [name, file] of BENCHES) {
    if (only !== undefined && !only.has(name)) continue;
    const rowsFile = join(dir, `${name}.jsonl`);
    process.stderr.write(`\n=== bench:${name} (${file})\n`);
    const start = Date.now();
    const status = await runBench(file, rowsFile);
    let text = "";
    try {
      text = readFileSync(rowsFile, "utf8");
    } catch {
      // the benchmark recorded no row (it failed before its first)
    }
    const rows = text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as BenchRow);
    results.push({ bench: name, status, seconds: (Date.now() - start) / 1000, rows });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const date = new Date().toISOString().slice(0, 10);
if (json) {
  process.stdout.write(`${JSON.stringify({ date, node: process.version, benches: results }, null, 2)}\n`);
} else {
  const fmt = (s: number) => (s < 0.01 ? `${(s * 1e3).toFixed(2)} ms` : `${s.toFixed(3)} s`);
  const lines = [`skybutler bench:all — ${date}, node ${process.version}; ratio = skybutler's time / the peer's (below 1: faster)`, ""];
  lines.push("| bench | measurement | skybutler | peer | peer's time | ratio |", "|---|---|--:|---|--:|--:|");
  for (const r of results) {
    for (const row of r.rows) lines.push(`| ${r.bench} | ${row.what} | ${fmt(row.ours)} | ${row.peer} | ${fmt(row.peerSeconds)} | ${row.ratio.toFixed(2)}× |`);
    if (r.status !== 0) lines.push(`| ${r.bench} | FAILED (exit ${r.status}) after ${r.seconds.toFixed(0)} s | | | | |`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
process.exitCode = results.some((r) => r.status !== 0) ? 1 : 0;

/**
 * `npm run bench:small`: small datasets at the latency floor, as issue 13 defines the rows —
 * 1,000 durable `butler.put`s then 1,000 `butler.get`s of a ~1 KB pickled dict by data id into a
 * fresh local output (taking turns with the peer, 50 at a time), against a durable raw write of
 * the same bytes (write, fsync, rename, fsync of the directory) and `readFileSync` +
 * `v8.deserialize`, measured in the same run. One more row:
 * the same number of puts issued with bounded concurrency (`Promise.all` over CONCURRENCY at a time)
 * against the one-at-a-time puts of the same run.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serialize, deserialize } from "node:v8";
import { Butler } from "../src/testing/index.js";
import { benchWorkDir, printRow } from "./timing.js";

const N = Number(process.env.BENCH_SMALL_N ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_SMALL_CONCURRENCY ?? 8);
/** Datasets per turn when ours and the peer take turns (all puts still come before all gets). */
const CHUNK = 50;
const sampleRepo = fileURLToPath(new URL("../data/testcam-repo", import.meta.url));
const value = { values: Array.from({ length: 100 }, (_, i) => i * 1.5), label: "x".repeat(100), id: 0 };

/** Wall seconds of one call. */
async function seconds(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** What a durable put syncs, by hand: write a temp file, fsync it, rename it, fsync the directory. */
function durableWrite(dir: string, name: string, bytes: Uint8Array): void {
  const tmp = join(dir, `.${name}.tmp`);
  const fd = openSync(tmp, "w", 0o644);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  const d = openSync(dir, "r");
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}

/** Runs `count` calls of `fn(i)` (i from `first`), at most `limit` at a time. */
async function bounded(first: number, count: number, limit: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = first;
  const worker = async () => {
    while (next < first + count) await fn(next++);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

const rows: Array<{ puts: number; rawPuts: number; gets: number; rawGets: number; concurrentPuts: number }> = [];
const work = await benchWorkDir("small");
try {
  console.log(`skybutler bench:small — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${N} datasets, ${RUNS} runs (interleaved)\n`);
  for (let run = 0; run < RUNS; run++) {
    const out = join(work, `rerun${run}`);
    const raw = join(work, `raw${run}`);
    mkdirSync(raw);
    const butler = await Butler.create({ inputs: sampleRepo, outputs: { root: out, mode: "rw" } });
    try {
      const bytes = serialize({ ...value, id: 1 });
      // ours and the peer alternate in chunks, so both see the same load: the fsync latency of this
      // shared disk swings by 2–4× within seconds, which made a block of 1,000 puts against a
      // later block of 1,000 raw writes a comparison of two different disks
      let puts = 0;
      let rawPuts = 0;
      let gets = 0;
      let rawGets = 0;
      for (let from = 1; from <= N; from += CHUNK) {
        const to = Math.min(N, from + CHUNK - 1);
        puts += await seconds(async () => {
          for (let i = from; i <= to; i++) await butler.put({ ...value, id: i }, "pickled", { visit: i, filter: "g" });
        });
        rawPuts += await seconds(() => {
          for (let i = from; i <= to; i++) durableWrite(raw, `v${i}_fg.pickle`, bytes);
        });
      }
      for (let from = 1; from <= N; from += CHUNK) {
        const to = Math.min(N, from + CHUNK - 1);
        gets += await seconds(async () => {
          for (let i = from; i <= to; i++) await butler.get("pickled", { visit: i, filter: "g" });
        });
        rawGets += await seconds(() => {
          for (let i = from; i <= to; i++) deserialize(readFileSync(join(raw, `v${i}_fg.pickle`)));
        });
      }
      // other data ids (N+1 … 2N), so the gets above read what the one-at-a-time puts wrote
      const concurrentPuts = await seconds(() => bounded(N + 1, N, CONCURRENCY, (i) => butler.put({ ...value, id: i }, "pickled", { visit: i, filter: "g" })));
      rows.push({ puts, rawPuts, gets, rawGets, concurrentPuts });
    } finally {
      await butler.close();
    }
  }
  const median = (k: keyof (typeof rows)[number]) => rows.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)]!;
  // throughput ratios (ours/peer in datasets per second) are the inverse of the time ratios printed
  printRow(`${N}× durable butler.put ~1 KB pickle`, median("puts"), "write+fsync+rename+fsync dir", median("rawPuts"));
  printRow(`${N}× butler.get ~1 KB pickle`, median("gets"), "readFileSync+v8.deserialize", median("rawGets"));
  printRow(`${N}× durable put, ${CONCURRENCY} at a time`, median("concurrentPuts"), "the same puts one at a time", median("puts"));
  console.log(
    `\nputs ${(N / median("puts")).toFixed(0)}/s vs ${(N / median("rawPuts")).toFixed(0)}/s raw: ${(median("rawPuts") / median("puts")).toFixed(2)}× throughput; ` +
      `gets ${(N / median("gets")).toFixed(0)}/s vs ${(N / median("rawGets")).toFixed(0)}/s raw: ${(median("rawGets") / median("gets")).toFixed(2)}× throughput; ` +
      `puts ${CONCURRENCY} at a time ${(N / median("concurrentPuts")).toFixed(0)}/s: ${(median("puts") / median("concurrentPuts")).toFixed(2)}× the one-at-a-time throughput`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}

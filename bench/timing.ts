/**
 * Timing helpers shared by the benchmarks: medians of repeated runs, and a printed comparison row
 * with the ratio against a peer measured in the same run.
 */
import { appendFileSync } from "node:fs";

/** Median wall time in seconds of `runs` calls of `fn` (after one warm-up call). */
export async function medianSeconds(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** One measurement against its peer, as `npm run bench:all` collects it. */
export interface BenchRow {
  /** What was measured. */
  what: string;
  /** The peer measured in the same run. */
  peer: string;
  /** Our time and the peer's, in seconds. */
  ours: number;
  peerSeconds: number;
  /** ours / peer in time: below 1 means skybutler is faster. */
  ratio: number;
}

/**
 * Hands a row to `npm run bench:all` (a JSON line appended to the file named by
 * SKYBUTLER_BENCH_ROWS); nothing when a benchmark runs alone.
 */
export function recordRow(what: string, ours: number, peer: string, peerSeconds: number): void {
  const file = process.env.SKYBUTLER_BENCH_ROWS;
  if (file === undefined || file === "") return;
  const row: BenchRow = { what, peer, ours, peerSeconds, ratio: ours / peerSeconds };
  appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/** One printed row: what, our time, the peer's time, and ours/peer (below 1 means we are faster). */
export function printRow(what: string, ours: number, peerName: string, peer: number): void {
  recordRow(what, ours, peerName, peer);
  const fmt = (s: number) => (s < 0.01 ? `${(s * 1e3).toFixed(3)} ms` : `${s.toFixed(4)} s`);
  console.log(`${what.padEnd(44)} ${fmt(ours).padStart(11)}   ${peerName.padEnd(28)} ${fmt(peer).padStart(11)}   ratio ${(ours / peer).toFixed(2)}×`);
}

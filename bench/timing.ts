/**
 * Timing helpers shared by the benchmarks: medians of repeated runs, and a printed comparison row
 * with the ratio against a peer measured in the same run.
 */
import { appendFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { tempRoot } from "../src/temp/index.js";

/**
 * A benchmark's work directory inside this process's private temp root: removed at exit — on
 * Ctrl-C and SIGTERM too, which a `finally` never sees — and swept by the next skybutler process
 * if this one was killed outright.
 */
export function benchWorkDir(name: string): Promise<string> {
  return mkdtemp(join(tempRoot(), `${name}-`));
}

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

/** Medians of interleaved measurements, with their spread (the machine's noise on that row). */
export interface Interleaved {
  /** Name → median in seconds. */
  median: Record<string, number>;
  /** Name → `min–max` of the samples, in ms, for the printed notes. */
  spread: Record<string, string>;
  /** Name → median over rounds of (that one's time / the first one's time in the same round). */
  ratioToFirst: Record<string, number>;
}

/**
 * Runs each measurement once per round, `rounds` times, interleaved (the order rotates every
 * round), after one warm-up of each: on a shared machine, load that comes and goes then hits every
 * contender alike, where back-to-back blocks of runs would give one of them a quiet spell. Each
 * function returns the seconds it measured (a peer process may time itself).
 */
export async function interleaved(rounds: number, measures: Record<string, () => Promise<number>>): Promise<Interleaved> {
  const names = Object.keys(measures);
  for (const name of names) await measures[name]!();
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const ratios: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const times: Record<string, number> = {};
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length]!;
      times[name] = await measures[name]!();
      samples[name]!.push(times[name]!);
    }
    for (const name of names) ratios[name]!.push(times[name]! / times[names[0]!]!);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const range = (xs: number[]) => `${(Math.min(...xs) * 1e3).toFixed(0)}–${(Math.max(...xs) * 1e3).toFixed(0)} ms`;
  return {
    median: Object.fromEntries(names.map((n) => [n, med(samples[n]!)])),
    spread: Object.fromEntries(names.map((n) => [n, range(samples[n]!)])),
    ratioToFirst: Object.fromEntries(names.map((n) => [n, med(ratios[n]!)])),
  };
}

/** Seconds one call of `fn` takes. */
export async function secondsOf(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Timing helpers shared by the benchmarks: medians of repeated runs, and a printed comparison row
 * with the ratio against a peer measured in the same run.
 */

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

/** One printed row: what, our time, the peer's time, and ours/peer (below 1 means we are faster). */
export function printRow(what: string, ours: number, peerName: string, peer: number): void {
  const fmt = (s: number) => (s < 0.01 ? `${(s * 1e3).toFixed(3)} ms` : `${s.toFixed(4)} s`);
  console.log(`${what.padEnd(44)} ${fmt(ours).padStart(11)}   ${peerName.padEnd(28)} ${fmt(peer).padStart(11)}   ratio ${(ours / peer).toFixed(2)}×`);
}

/**
 * Exact order statistics of the finite pixels in bounded memory: passes over the strips narrow
 * each wanted rank to one histogram bin, until the bin's values are few enough to collect and
 * sort (or all equal). A 4096² float image needs two passes after the first; memory is a few
 * histograms and at most {@link COLLECT_LIMIT} values per rank.
 *
 * @packageDocumentation
 */
import type { PixelSource } from "./pixel-source.js";

const BINS = 4096;
/** A bin with at most this many values is collected and sorted instead of refined further. */
export const COLLECT_LIMIT = 1 << 16;

/** The finite values in `[lo, hi]`, of which `below` finite values lie under `lo`, hold these ranks. */
interface Group {
  lo: number;
  hi: number;
  below: number;
  ranks: number[];
  /** Histogram (counts, per-bin min and max) or the collected values. */
  counts?: Float64Array;
  binMin?: Float64Array;
  binMax?: Float64Array;
  collected?: number[];
}

/**
 * The values at 0-based ranks of the sorted finite pixels of `source`.
 * @param ranks - each in `[0, count)`
 * @param min - the smallest finite value; @param max - the largest (known from a first pass)
 * @returns value by rank
 * @throws the source's read errors
 */
export async function selectRanks(source: PixelSource, ranks: readonly number[], min: number, max: number): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  let groups: Group[] = [{ lo: min, hi: max, below: 0, ranks: [...new Set(ranks)] }];
  if (min === max) {
    for (const r of ranks) found.set(r, min);
    return found;
  }
  while (groups.length > 0) {
    for (const group of groups) prepare(group);
    for await (const strip of source.strips(false)) for (const group of groups) scan(group, strip.data);
    const next: Group[] = [];
    for (const group of groups) {
      if (group.collected) {
        const sorted = Float64Array.from(group.collected).sort();
        for (const r of group.ranks) found.set(r, sorted[r - group.below]!);
        continue;
      }
      for (const narrowed of narrow(group)) {
        if (narrowed.lo === narrowed.hi) for (const r of narrowed.ranks) found.set(r, narrowed.lo);
        else merge(next, narrowed);
      }
    }
    groups = next;
  }
  return found;
}

function prepare(group: Group): void {
  // subnormal neighbours whose halves coincide cannot be binned apart: collect them
  if (group.hi / 2 === group.lo / 2) group.collected ??= [];
  if (group.collected) return;
  group.counts = new Float64Array(BINS);
  group.binMin = new Float64Array(BINS).fill(Infinity);
  group.binMax = new Float64Array(BINS).fill(-Infinity);
}

function scan(group: Group, data: ArrayLike<number>): void {
  const { lo, hi } = group;
  const collected = group.collected;
  if (collected) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v >= lo && v <= hi) collected.push(v);
    }
    return;
  }
  const counts = group.counts!;
  const binMin = group.binMin!;
  const binMax = group.binMax!;
  // A bin index monotone in v, so a bin's values are exactly those between its min and max;
  // halves, so that hi - lo cannot overflow to Infinity.
  const base = lo / 2;
  const scale = BINS / (hi / 2 - base);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!(v >= lo && v <= hi)) continue;
    const bin = Math.min(BINS - 1, Math.floor((v / 2 - base) * scale));
    counts[bin]!++;
    if (v < binMin[bin]!) binMin[bin] = v;
    if (v > binMax[bin]!) binMax[bin] = v;
  }
}

/** The bins holding the group's ranks, as narrower groups (to collect when small). */
function narrow(group: Group): Group[] {
  const counts = group.counts!;
  const out: Group[] = [];
  let below = group.below;
  let r = 0;
  const ranks = [...group.ranks].sort((a, b) => a - b);
  for (let bin = 0; bin < BINS && r < ranks.length; bin++) {
    const n = counts[bin]!;
    const inBin: number[] = [];
    while (r < ranks.length && ranks[r]! < below + n) inBin.push(ranks[r++]!);
    if (inBin.length > 0) {
      const narrowed: Group = { lo: group.binMin![bin]!, hi: group.binMax![bin]!, below, ranks: inBin };
      // No narrower than before (values too close to bin apart): collect them, whatever their number.
      const stuck = narrowed.lo === group.lo && narrowed.hi === group.hi;
      if ((n <= COLLECT_LIMIT || stuck) && narrowed.lo !== narrowed.hi) narrowed.collected = [];
      out.push(narrowed);
    }
    below += n;
  }
  return out;
}

function merge(groups: Group[], group: Group): void {
  const same = groups.find((g) => g.lo === group.lo && g.hi === group.hi);
  if (same) same.ranks.push(...group.ranks);
  else groups.push(group);
}

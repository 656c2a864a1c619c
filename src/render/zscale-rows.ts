/**
 * zscale's sample taken again from only the rows that hold it, once the first pass has counted
 * the finite pixels of every row: for an image with NaNs, about a thousand small reads rather than
 * a second pass over the whole image (on a 4096² image, whose sample lies every fourth row, the
 * runs merge and it is a pass in strips; on an 8192², an eighth of the bytes).
 *
 * @packageDocumentation
 */
import type { FiniteStats } from "./finite-stats.js";
import { stripRows, type PixelSource, type PixelStrip } from "./pixel-source.js";
import { ZScaleSampler } from "./zscale.js";

/** Reads in flight at once while walking the rows (kept in order). */
const READS_AHEAD = 8;
/** Pixels between two runs below which they are read as one (see {@link rowRuns}). */
const MERGE_PIXELS = 32768;

/** A run of consecutive rows holding sample values, and the finite index of its first value. */
interface RowRun {
  y: number;
  rows: number;
  firstFinite: number;
  finite: number;
}

/**
 * The runs of rows that hold the sampler's positions, each at most `maxRows` long. Runs less than
 * `mergeGap` rows apart are read as one: a read costs about as much as 128 KiB of pixels, so a few
 * rows more beat one read more.
 */
function rowRuns(sampler: ZScaleSampler, perRow: Int32Array, maxRows: number, mergeGap: number): RowRun[] {
  const runs: RowRun[] = [];
  let y = 0;
  let rowStart = 0; // finite index of row y's first value
  for (const position of sampler.positions()) {
    while (rowStart + perRow[y]! <= position) rowStart += perRow[y++]!;
    const last = runs[runs.length - 1];
    const lastRow = last ? last.y + last.rows - 1 : -1;
    if (last && lastRow === y) continue;
    if (last && y - lastRow <= mergeGap && y - last.y < maxRows) {
      for (let r = lastRow + 1; r <= y; r++) last.finite += perRow[r]!;
      last.rows = y - last.y + 1;
    } else runs.push({ y, rows: 1, firstFinite: rowStart, finite: perRow[y]! });
  }
  return runs;
}

/**
 * The zscale sample (astropy's order, unsorted) of a source whose finite pixels `stats` counted.
 * @throws the source's read errors
 */
export async function sampleRows(source: PixelSource, stats: FiniteStats, nSamples?: number): Promise<Float64Array> {
  const sampler = new ZScaleSampler(stats.count, nSamples);
  const runs = rowRuns(sampler, stats.perRow, stripRows(source.width), Math.max(1, Math.floor(MERGE_PIXELS / source.width)));
  const pending: Array<Promise<PixelStrip>> = [];
  let next = 0;
  const readNext = (): void => {
    const run = runs[next++]!;
    const read = source.readRows(run.y, run.rows);
    // awaited in order below; this only stops an abandoned read counting as unhandled
    read.catch(() => undefined);
    pending.push(read);
  };
  while (next < runs.length && pending.length < READS_AHEAD) readNext();
  for (const run of runs) {
    const strip = await pending.shift()!;
    if (next < runs.length) readNext();
    sampler.skipTo(run.firstFinite);
    sampler.add(strip.data, run.finite);
  }
  return sampler.samples;
}

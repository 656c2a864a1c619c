/**
 * astropy's `PercentileInterval(p)`: `np.percentile(finite, ((100 - p) / 2, 100 - (100 - p) / 2))`
 * with numpy's default linear interpolation, computed exactly over every finite pixel.
 *
 * @packageDocumentation
 */
import type { PixelSource } from "./pixel-source.js";
import { selectRanks } from "./rank-select.js";
import type { Limits } from "./render-options.js";

/** numpy's linear-method position of percentile `q` among `n` sorted values. */
function position(q: number, n: number): { below: number; above: number; gamma: number } {
  const index = (q / 100) * (n - 1);
  const below = Math.floor(index);
  return { below, above: Math.min(below + 1, n - 1), gamma: index - below };
}

/** numpy's `_lerp`, which interpolates from the nearer end for exactness at gamma = 1. */
function lerp(a: number, b: number, gamma: number): number {
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/**
 * The central `percentile` % interval of the finite pixels of `source`.
 * @param stats - count, min and max of the finite pixels (from a first pass)
 * @throws the source's read errors
 */
export async function percentileLimits(source: PixelSource, percentile: number, stats: { count: number; min: number; max: number }): Promise<Limits> {
  if (stats.count === 0) return { min: NaN, max: NaN };
  const lower = (100 - percentile) * 0.5;
  const positions = [position(lower, stats.count), position(100 - lower, stats.count)];
  const values = await selectRanks(source, positions.flatMap((p) => [p.below, p.above]), stats.min, stats.max);
  const [low, high] = positions.map((p) => lerp(values.get(p.below)!, values.get(p.above)!, p.gamma)) as [number, number];
  return { min: low, max: high };
}

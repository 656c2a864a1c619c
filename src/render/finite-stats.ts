/**
 * Count, minimum and maximum of the finite pixels, gathered strip by strip.
 *
 * @packageDocumentation
 */
import type { NumberArray } from "./pixel-source.js";

/** Running count, min and max of finite values (NaN and ±Infinity are skipped, as `np.isfinite`). */
export class FiniteStats {
  /** Finite values seen. */
  count = 0;
  /** Smallest finite value (Infinity before any). */
  min = Infinity;
  /** Largest finite value (-Infinity before any). */
  max = -Infinity;

  /** Adds a strip's values; returns how many of them are finite. */
  add(data: NumberArray): number {
    let count = 0;
    let min = this.min;
    let max = this.max;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v - v !== 0) continue;
      count++;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.merge(count, min, max);
    return count;
  }

  /** Adds the count, min and max of values gathered elsewhere. */
  merge(count: number, min: number, max: number): void {
    this.count += count;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }
}

/**
 * Count, minimum and maximum of the finite pixels, and how many each row holds.
 *
 * @packageDocumentation
 */

/**
 * Count, min and max of finite values (NaN and ±Infinity are skipped, as `np.isfinite`), gathered
 * row by row; the per-row counts let zscale find the rows its sample lies in without a full pass.
 */
export class FiniteStats {
  /** Finite values seen. */
  count = 0;
  /** Smallest finite value (Infinity before any). */
  min = Infinity;
  /** Largest finite value (-Infinity before any). */
  max = -Infinity;
  /** Finite values in each row. */
  readonly perRow: Int32Array;

  /** @param rows - rows of the image */
  constructor(rows: number) {
    this.perRow = new Int32Array(rows);
  }

  /** Records row `y`: its count of finite values, and the running min and max. */
  addRow(y: number, count: number, min: number, max: number): void {
    this.perRow[y] = count;
    this.count += count;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }
}

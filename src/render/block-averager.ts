/**
 * Resampling to the preview size by block averaging, fed one strip at a time.
 *
 * Output pixel (ox, oy) is the mean of the finite input pixels in columns
 * `[⌊ox·W/w⌋, ⌊(ox+1)·W/w⌋)` and rows `[⌊oy·H/h⌋, ⌊(oy+1)·H/h⌋)` — for an integer factor exactly
 * astropy's `block_reduce(data, factor, func=np.nanmean)`, which is what astronomers expect of a
 * binned view (noise averages down, faint sources stay visible; decimation would alias). A block
 * with no finite pixel is NaN (drawn transparent). When the output is larger than the input, each
 * output pixel takes its one nearest input pixel, `⌊ox·W/w⌋`. Mask bits of a block are OR-ed, so a
 * flagged pixel always shows.
 *
 * @packageDocumentation
 */
import { FiniteStats } from "./finite-stats.js";
import type { NumberArray, PixelStrip } from "./pixel-source.js";

/**
 * Along one axis: the input ranges that partition `[0, input)` (one per output pixel when
 * shrinking, one per input pixel when enlarging) and the range each output pixel shows.
 */
function axisPlan(input: number, output: number): { starts: Int32Array; ends: Int32Array; blockOf: Int32Array } {
  const blocks = Math.min(input, output);
  const starts = new Int32Array(blocks);
  const ends = new Int32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    starts[b] = Math.floor((b * input) / blocks);
    ends[b] = Math.floor(((b + 1) * input) / blocks);
  }
  const blockOf = new Int32Array(output);
  for (let o = 0; o < output; o++) blockOf[o] = output <= input ? o : Math.floor((o * input) / output);
  return { starts, ends, blockOf };
}

/**
 * Accumulates strips into a `width × height` grid of block means (and OR-ed mask bits), and the
 * count, min and max of the finite pixels in the same loop (every input pixel is read once).
 */
export class BlockAverager {
  /** Block means, row-major, row 0 first (NaN where a block has no finite pixel). */
  readonly values: Float32Array;
  /** OR of the mask bits of each block, when the strips carry a mask. */
  readonly mask: Int32Array | undefined;
  /** Count, min and max of the finite input pixels added so far, and the count of each row. */
  readonly stats: FiniteStats;
  readonly #inWidth: number;
  readonly #width: number;
  readonly #cols: ReturnType<typeof axisPlan>;
  readonly #rows: ReturnType<typeof axisPlan>;
  readonly #sums: Float64Array;
  readonly #counts: Float64Array;
  readonly #bits: Int32Array;
  /** Next row block to finish, and the next output row. */
  #rowBlock = 0;
  #outRow = 0;

  /**
   * @param inWidth - input columns; @param inHeight - input rows
   * @param width - output columns; @param height - output rows
   * @param withMask - whether strips carry mask bits to OR
   */
  constructor(inWidth: number, inHeight: number, width: number, height: number, withMask: boolean) {
    this.#inWidth = inWidth;
    this.#width = width;
    this.#cols = axisPlan(inWidth, width);
    this.#rows = axisPlan(inHeight, height);
    this.stats = new FiniteStats(inHeight);
    this.values = new Float32Array(width * height);
    this.mask = withMask ? new Int32Array(width * height) : undefined;
    const blocks = this.#cols.starts.length;
    this.#sums = new Float64Array(blocks);
    this.#counts = new Float64Array(blocks);
    this.#bits = new Int32Array(blocks);
  }

  /**
   * Adds the rows of a strip (strips must come in order, each row once).
   * @returns how many of the strip's pixels are finite
   */
  add(strip: PixelStrip): number {
    const { data, mask } = strip;
    const before = this.stats.count;
    for (let r = 0; r < strip.rows; r++) {
      const offset = r * this.#inWidth;
      this.#accumulate(data, offset, strip.y + r);
      if (mask && this.mask) this.#accumulateMask(mask, offset);
      if (strip.y + r + 1 === this.#rows.ends[this.#rowBlock]) this.#finishRowBlock();
    }
    return this.stats.count - before;
  }

  #accumulate(data: NumberArray, offset: number, y: number): void {
    const { starts, ends } = this.#cols;
    const sums = this.#sums;
    const counts = this.#counts;
    let total = 0;
    let min = this.stats.min;
    let max = this.stats.max;
    for (let b = 0; b < starts.length; b++) {
      let sum = 0;
      let count = 0;
      for (let x = offset + starts[b]!, stop = offset + ends[b]!; x < stop; x++) {
        const v = data[x]!;
        // v - v is 0 for finite values only (NaN and ±Infinity give NaN)
        if (v - v === 0) {
          sum += v;
          count++;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      sums[b]! += sum;
      counts[b]! += count;
      total += count;
    }
    this.stats.addRow(y, total, min, max);
  }

  #accumulateMask(mask: Int32Array, offset: number): void {
    const { starts, ends } = this.#cols;
    const bits = this.#bits;
    for (let b = 0; b < starts.length; b++) {
      let or = 0;
      for (let x = offset + starts[b]!, stop = offset + ends[b]!; x < stop; x++) or |= mask[x]!;
      bits[b]! |= or;
    }
  }

  /** Writes every output row showing the row block just completed, and starts the next block. */
  #finishRowBlock(): void {
    const blockOf = this.#cols.blockOf;
    const width = this.#width;
    const rowBlockOf = this.#rows.blockOf;
    for (; this.#outRow < rowBlockOf.length && rowBlockOf[this.#outRow] === this.#rowBlock; this.#outRow++) {
      const at = this.#outRow * width;
      for (let ox = 0; ox < width; ox++) {
        const b = blockOf[ox]!;
        const n = this.#counts[b]!;
        this.values[at + ox] = n === 0 ? NaN : this.#sums[b]! / n;
        if (this.mask) this.mask[at + ox] = this.#bits[b]!;
      }
    }
    this.#rowBlock++;
    this.#sums.fill(0);
    this.#counts.fill(0);
    this.#bits.fill(0);
  }
}

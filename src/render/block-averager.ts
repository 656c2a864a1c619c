/**
 * Resampling to the preview size by block averaging, fed one strip at a time.
 *
 * Output pixel (ox, oy) is the mean of the finite input pixels in columns
 * `[⌊ox·W/w⌋, ⌊(ox+1)·W/w⌋)` and rows `[⌊oy·H/h⌋, ⌊(oy+1)·H/h⌋)` — for an integer factor exactly
 * astropy's `block_reduce(data, factor, func=np.mean)`, which is what astronomers expect of a
 * binned view (noise averages down, faint sources stay visible; decimation would alias). A block
 * with no finite pixel is NaN (drawn transparent). When the output is larger than the input, each
 * output pixel takes its one nearest input pixel. Mask bits of a block are OR-ed, so a flagged
 * pixel always shows.
 *
 * @packageDocumentation
 */
import type { NumberArray, PixelStrip } from "./pixel-source.js";

/** The first input index of each output cell along one axis, plus the end: n + 1 edges. */
function edges(input: number, output: number): Int32Array {
  const out = new Int32Array(output + 1);
  for (let o = 0; o <= output; o++) out[o] = Math.floor((o * input) / output);
  return out;
}

/** Accumulates strips into a `width × height` grid of block means (and OR-ed mask bits). */
export class BlockAverager {
  /** Block means, row-major, row 0 first (NaN where a block has no finite pixel). */
  readonly values: Float32Array;
  /** OR of the mask bits of each block, when the strips carry a mask. */
  readonly mask: Int32Array | undefined;
  readonly #inWidth: number;
  readonly #width: number;
  readonly #height: number;
  readonly #colStart: Int32Array;
  readonly #colEnd: Int32Array;
  readonly #rowEnd: Int32Array;
  readonly #sums: Float64Array;
  readonly #counts: Uint32Array;
  readonly #bits: Int32Array;
  /** Next output row to finish. */
  #row = 0;

  /**
   * @param inWidth - input columns; @param inHeight - input rows
   * @param width - output columns; @param height - output rows
   * @param withMask - whether strips carry mask bits to OR
   */
  constructor(inWidth: number, inHeight: number, width: number, height: number, withMask: boolean) {
    this.#inWidth = inWidth;
    this.#width = width;
    this.#height = height;
    const cols = edges(inWidth, width);
    this.#colStart = cols.subarray(0, width);
    this.#colEnd = new Int32Array(width);
    // Upsampling: a cell whose edges coincide takes the one input index it starts at.
    for (let o = 0; o < width; o++) this.#colEnd[o] = Math.max(cols[o]! + 1, cols[o + 1]!);
    const rows = edges(inHeight, height);
    // Output row oy is finished once input row rowEnd[oy] - 1 has been added.
    this.#rowEnd = new Int32Array(height);
    for (let o = 0; o < height; o++) this.#rowEnd[o] = Math.max(rows[o]! + 1, rows[o + 1]!);
    this.values = new Float32Array(width * height);
    this.mask = withMask ? new Int32Array(width * height) : undefined;
    this.#sums = new Float64Array(width);
    this.#counts = new Uint32Array(width);
    this.#bits = new Int32Array(width);
  }

  /** Adds the rows of a strip (strips must come in order, each row once). */
  add(strip: PixelStrip): void {
    const { data, mask } = strip;
    for (let r = 0; r < strip.rows; r++) {
      const y = strip.y + r;
      const offset = r * this.#inWidth;
      this.#accumulate(data, offset);
      if (mask && this.mask) this.#accumulateMask(mask, offset);
      // Several output rows end at the same input row only when upsampling: they share it.
      let finished = false;
      while (this.#row < this.#height && this.#rowEnd[this.#row]! - 1 === y) {
        this.#finishRow(this.#row++);
        finished = true;
      }
      if (finished) this.#reset();
    }
  }

  #accumulate(data: NumberArray, offset: number): void {
    const sums = this.#sums;
    const counts = this.#counts;
    const start = this.#colStart;
    const end = this.#colEnd;
    for (let ox = 0; ox < this.#width; ox++) {
      let sum = 0;
      let count = 0;
      for (let x = offset + start[ox]!, stop = offset + end[ox]!; x < stop; x++) {
        const v = data[x]!;
        // v - v is 0 for finite values only (NaN and ±Infinity give NaN)
        if (v - v === 0) {
          sum += v;
          count++;
        }
      }
      sums[ox] += sum;
      counts[ox] += count;
    }
  }

  #accumulateMask(mask: Int32Array, offset: number): void {
    const bits = this.#bits;
    for (let ox = 0; ox < this.#width; ox++) {
      let or = 0;
      for (let x = offset + this.#colStart[ox]!, stop = offset + this.#colEnd[ox]!; x < stop; x++) or |= mask[x]!;
      bits[ox] |= or;
    }
  }

  #finishRow(oy: number): void {
    const at = oy * this.#width;
    for (let ox = 0; ox < this.#width; ox++) {
      const n = this.#counts[ox]!;
      this.values[at + ox] = n === 0 ? NaN : this.#sums[ox]! / n;
    }
    if (this.mask) this.mask.set(this.#bits, at);
  }

  #reset(): void {
    this.#sums.fill(0);
    this.#counts.fill(0);
    this.#bits.fill(0);
  }
}

/**
 * Quantized floating-point tiles (FITS 4.0 §10.2): integers back to floats with ZSCALE/ZZERO,
 * undoing CFITSIO's subtractive dithering with its exact pseudo-random sequence, and ZBLANK → NaN.
 *
 * @packageDocumentation
 */

/** ZQUANTIZ values. */
export type QuantizeMethod = "NO_DITHER" | "SUBTRACTIVE_DITHER_1" | "SUBTRACTIVE_DITHER_2";

/** SUBTRACTIVE_DITHER_2 stores exact zeros as this integer. */
const ZERO_VALUE = -2147483646;
const N_RANDOM = 10000;

let randoms: Float32Array | undefined;

/**
 * The 10,000 uniform deviates of FITS 4.0 §10.2.1 (Park–Miller, a = 16807, m = 2^31 - 1), as
 * single-precision floats like CFITSIO's `fits_init_randoms`.
 */
function randomValues(): Float32Array {
  if (randoms) return randoms;
  randoms = new Float32Array(N_RANDOM);
  const a = 16807;
  const m = 2147483647;
  let seed = 1;
  for (let i = 0; i < N_RANDOM; i++) {
    const temp = a * seed;
    seed = temp - m * Math.trunc(temp / m);
    randoms[i] = seed / m;
  }
  return randoms;
}

/** How one tile's integers become floats. */
export interface TileQuantization {
  method: QuantizeMethod;
  scale: number;
  zero: number;
  /** ZBLANK: the integer that means NaN, when there is one. */
  blank?: number;
  /** 1-based tile number plus ZDITHER0 - 1: picks where in the random sequence the tile starts. */
  ditherRow: number;
}

/**
 * Writes the floats of one tile into `out` (a Float32Array rounds each value to single precision
 * exactly as CFITSIO's `(float)` cast does).
 */
export function unquantize(input: Int32Array, count: number, q: TileQuantization, out: Float32Array | Float64Array): void {
  const { scale, zero } = q;
  const blank = q.blank ?? NaN; // NaN never equals an integer: no blank check
  if (q.method === "NO_DITHER") {
    for (let i = 0; i < count; i++) {
      const v = input[i]!;
      out[i] = v === blank ? NaN : v * scale + zero;
    }
    return;
  }
  const r = randomValues();
  const keepZeros = q.method === "SUBTRACTIVE_DITHER_2";
  let seed = (q.ditherRow - 1) % N_RANDOM;
  if (seed < 0) seed += N_RANDOM;
  // A float times 500 in single precision, as C computes it.
  let next = Math.trunc(Math.fround(r[seed]! * 500));
  for (let i = 0; i < count; i++) {
    const v = input[i]!;
    if (v === blank) out[i] = NaN;
    else if (keepZeros && v === ZERO_VALUE) out[i] = 0;
    else out[i] = (v - r[next]! + 0.5) * scale + zero;
    if (++next === N_RANDOM) {
      if (++seed === N_RANDOM) seed = 0;
      next = Math.trunc(Math.fround(r[seed]! * 500));
    }
  }
}

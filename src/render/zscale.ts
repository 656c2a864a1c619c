/**
 * IRAF's zscale, exactly as astropy's `ZScaleInterval` (5.2) computes it: sample the finite
 * pixels with a fixed stride, fit a line to the sorted sample with iterative k-sigma rejection
 * (rejected points grown by 1 % of the sample), and set the interval from the sample's median and
 * the fitted slope divided by the contrast, clamped to the sample's range.
 *
 * @packageDocumentation
 */
import type { Limits } from "./render-options.js";
import type { NumberArray } from "./pixel-source.js";

/** The parameters of zscale, astropy's names and defaults. */
export interface ZScaleParameters {
  /** Sample size (default 1000). */
  nSamples: number;
  /** Slope divisor: smaller shows more contrast (default 0.25). */
  contrast: number;
  /** Fraction of the sample that may be rejected before the fit is abandoned (default 0.5). */
  maxReject: number;
  /** Fewest points left for a fit (default 5). */
  minNpixels: number;
  /** Rejection threshold in standard deviations (default 2.5). */
  krej: number;
  /** Rejection iterations (default 5). */
  maxIterations: number;
}

/** astropy's `ZScaleInterval()` defaults. */
export const ZSCALE_DEFAULTS: Readonly<ZScaleParameters> = Object.freeze({
  nSamples: 1000,
  contrast: 0.25,
  maxReject: 0.5,
  minNpixels: 5,
  krej: 2.5,
  maxIterations: 5,
});

/**
 * Picks zscale's sample while the pixels stream by: astropy takes `values[isfinite][::stride][:n]`
 * with `stride = int(max(1, nfinite / n))`, so the stride needs the number of finite pixels. The
 * sampler is told an expected count up front (all pixels, right unless some are NaN); if the true
 * count differs, {@link ZScaleSampler.matches} says so and the sample must be taken again with the
 * true count (from the rows that hold it, see {@link ZScaleSampler.positions}).
 */
export class ZScaleSampler {
  readonly #expected: number;
  readonly #stride: number;
  readonly #samples: Float64Array;
  #picked = 0;
  /** Finite values seen so far. */
  #seen = 0;
  /** Finite index of the next value to pick. */
  #next = 0;

  /** @param expectedFinite - the number of finite pixels the stride is computed for; @param nSamples - sample size */
  constructor(expectedFinite: number, nSamples: number = ZSCALE_DEFAULTS.nSamples) {
    this.#expected = expectedFinite;
    this.#stride = Math.floor(Math.max(1, expectedFinite / nSamples));
    this.#samples = new Float64Array(Math.min(nSamples, expectedFinite));
  }

  /**
   * Adds a strip's values.
   * @param finite - how many of them are finite (counted by the caller anyway), so that a strip
   *   without NaN is sampled by index arithmetic alone
   */
  add(data: NumberArray, finite: number): void {
    const limit = this.#samples.length;
    if (this.#picked < limit) {
      if (finite === data.length) {
        // No NaN here: finite index = seen + array index.
        for (; this.#next < this.#seen + data.length && this.#picked < limit; this.#next += this.#stride) {
          this.#samples[this.#picked++] = data[this.#next - this.#seen]!;
        }
      } else {
        let seen = this.#seen;
        for (let i = 0; i < data.length && this.#picked < limit; i++) {
          const v = data[i]!;
          if (v - v !== 0) continue;
          if (seen === this.#next) {
            this.#samples[this.#picked++] = v;
            this.#next += this.#stride;
          }
          seen++;
        }
      }
    }
    this.#seen += finite;
  }

  /** The finite indices (0-based, in reading order) of the values the sample takes. */
  *positions(): Generator<number> {
    for (let k = 0; k < this.#samples.length; k++) yield k * this.#stride;
  }

  /**
   * Continues at finite index `index` (≥ the values seen so far): for adding only the rows
   * that hold the sample, skipping those between.
   */
  skipTo(index: number): void {
    this.#seen = index;
  }

  /** Whether the finite count seen equals the one the stride was computed for. */
  get matches(): boolean {
    return this.#seen === this.#expected;
  }

  /** The sample, in the order astropy takes it (before sorting). */
  get samples(): Float64Array {
    return this.#samples.subarray(0, this.#picked);
  }
}

/**
 * zscale limits of a sample (as {@link ZScaleSampler} picks it). Sorts `samples` in place.
 * An empty sample gives NaN limits.
 */
export function zscaleOfSample(samples: Float64Array, parameters: ZScaleParameters = ZSCALE_DEFAULTS): Limits {
  const { contrast, maxReject, minNpixels, krej, maxIterations } = parameters;
  const npix = samples.length;
  if (npix === 0) return { min: NaN, max: NaN };
  samples.sort();
  let vmin = samples[0]!;
  let vmax = samples[npix - 1]!;
  const minpix = Math.max(minNpixels, Math.floor(npix * maxReject));
  const ngrow = Math.max(1, Math.floor(npix * 0.01));
  let bad: Uint8Array<ArrayBuffer> = new Uint8Array(npix);
  let ngood = npix;
  let lastNgood = npix + 1;
  let slope: number | undefined;
  const flat = new Float64Array(npix);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (ngood >= lastNgood || ngood < minpix) break;
    const fit = fitLine(samples, bad);
    slope = fit.slope;
    // k-sigma threshold from the population standard deviation of the good residuals
    let mean = 0;
    for (let i = 0; i < npix; i++) {
      flat[i] = samples[i]! - (fit.slope * i + fit.intercept);
      if (!bad[i]) mean += flat[i]!;
    }
    mean /= ngood;
    let variance = 0;
    for (let i = 0; i < npix; i++) if (!bad[i]) variance += (flat[i]! - mean) ** 2;
    const threshold = krej * Math.sqrt(variance / ngood);
    for (let i = 0; i < npix; i++) if (flat[i]! < -threshold || flat[i]! > threshold) bad[i] = 1;
    bad = dilate(bad, ngrow);
    lastNgood = ngood;
    ngood = 0;
    for (let i = 0; i < npix; i++) if (!bad[i]) ngood++;
  }
  if (ngood >= minpix && slope !== undefined) {
    if (contrast > 0) slope /= contrast;
    const center = Math.floor((npix - 1) / 2);
    const half = npix >> 1;
    const median = npix % 2 === 1 ? samples[half]! : (samples[half - 1]! + samples[half]!) / 2;
    vmin = Math.max(vmin, median - (center - 1) * slope);
    vmax = Math.min(vmax, median + (npix - center) * slope);
  }
  return { min: vmin, max: vmax };
}

/** Least-squares line through (i, y[i]) over the points not flagged bad (astropy: polyfit with 0/1 weights). */
function fitLine(y: Float64Array, bad: Uint8Array): { slope: number; intercept: number } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < y.length; i++) {
    if (bad[i]) continue;
    n++;
    sx += i;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < y.length; i++) {
    if (bad[i]) continue;
    sxx += (i - mx) ** 2;
    sxy += (i - mx) * (y[i]! - my);
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * `np.convolve(bad, ones(m), mode="same")` on booleans: output i is set when any input j in
 * `[i - (m - 1) + h, i + h]` is, with `h = (m - 1) // 2` (numpy's centring of "same").
 */
function dilate(bad: Uint8Array, m: number): Uint8Array<ArrayBuffer> {
  const n = bad.length;
  const h = (m - 1) >> 1;
  const out = new Uint8Array(n);
  // window count over j in [i - (m - 1) + h, i + h], slid along i
  let count = 0;
  for (let j = 0; j <= Math.min(h, n - 1); j++) count += bad[j]!;
  for (let i = 0; i < n; i++) {
    if (count > 0) out[i] = 1;
    const enter = i + h + 1;
    const leave = i - (m - 1) + h;
    if (enter < n) count += bad[enter]!;
    if (leave >= 0) count -= bad[leave]!;
  }
  return out;
}

/**
 * zscale limits of values in memory, e.g. an image's pixels (NaN and ±Infinity skipped), as
 * astropy's `ZScaleInterval().get_limits(values)`.
 *
 * ```ts
 * const { min, max } = zscaleLimits(exposure.image.data);
 * ```
 */
export function zscaleLimits(values: NumberArray, parameters: ZScaleParameters = ZSCALE_DEFAULTS): Limits {
  let finite = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! - values[i]! === 0) finite++;
  const sampler = new ZScaleSampler(finite, parameters.nSamples);
  sampler.add(values, finite);
  return zscaleOfSample(sampler.samples.slice(), parameters);
}

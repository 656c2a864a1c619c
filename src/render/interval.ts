/**
 * The display interval of a source: gathered during the render's one pass over the pixels, with
 * further reads only when an interval needs them (zscale over an image with NaNs reads the rows
 * holding its sample again, percentiles take two or more passes).
 *
 * @packageDocumentation
 */
import type { FiniteStats } from "./finite-stats.js";
import { percentileLimits } from "./percentile.js";
import type { PixelSource, PixelStrip } from "./pixel-source.js";
import type { IntervalName, Limits } from "./render-options.js";
import { ZScaleSampler, zscaleOfSample } from "./zscale.js";
import { sampleRows } from "./zscale-rows.js";

/** Collects what an interval needs from each strip of the main pass, besides count, min and max. */
export class IntervalPass {
  readonly #sampler: ZScaleSampler | undefined;

  /**
   * @param stretch - the interval wanted (undefined: only the statistics)
   * @param pixels - how many pixels the source has (zscale's stride assumes all are finite)
   */
  constructor(stretch: IntervalName | undefined, pixels: number) {
    // Optimistic: if every pixel is finite (the usual case) the sample is right after one pass.
    this.#sampler = stretch === "zscale" ? new ZScaleSampler(pixels) : undefined;
  }

  /** Adds a strip, of which `finite` pixels are finite. */
  add(strip: PixelStrip, finite: number): void {
    this.#sampler?.add(strip.data, finite);
  }

  /**
   * The interval, reading the source again if it must.
   * @param stats - count, min and max of the source's finite pixels (from the same pass)
   * @throws the source's read errors, when the interval needs another pass
   */
  async limits(source: PixelSource, stretch: IntervalName, percentile: number, stats: FiniteStats): Promise<Limits> {
    const { count, min, max } = stats;
    if (count === 0) return { min: NaN, max: NaN };
    switch (stretch) {
      case "minmax":
        return { min, max };
      case "percentile":
        return percentileLimits(source, percentile, stats);
      case "zscale":
        // Some pixels not finite: the stride depends on how many are, known only now.
        return zscaleOfSample(this.#sampler!.matches ? this.#sampler!.samples.slice() : await sampleRows(source, stats));
    }
  }
}

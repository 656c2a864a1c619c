/**
 * The preview grid → 8-bit pixels for the PNG: grey + alpha, or RGBA with mask planes blended in.
 *
 * @packageDocumentation
 */
import type { MaskLegendEntry } from "./mask-legend.js";
import { greyLevel } from "./stretch.js";

/** Opacity of a mask plane's colour over the image: the pixels stay readable under it. */
export const MASK_OPACITY = 0.4;

/** Interleaved 8-bit pixels and their channel count (2: grey + alpha; 4: RGBA). */
export interface Raster {
  width: number;
  height: number;
  channels: 2 | 4;
  data: Uint8Array;
}

/**
 * Turns block values into pixels: grey from `normalize`, alpha 0 where the value is NaN, and,
 * with a legend, each set plane's colour blended over the grey in bit order.
 * @param flip - put grid row 0 at the bottom of the picture
 */
export function toRaster(
  values: Float32Array,
  width: number,
  height: number,
  normalize: (v: number) => number,
  flip: boolean,
  mask?: { bits: Int32Array; legend: readonly MaskLegendEntry[] },
): Raster {
  const channels = mask ? 4 : 2;
  const data = new Uint8Array(width * height * channels);
  for (let oy = 0; oy < height; oy++) {
    const row = flip ? height - 1 - oy : oy;
    const from = oy * width;
    let at = row * width * channels;
    for (let ox = 0; ox < width; ox++, at += channels) {
      const v = values[from + ox]!;
      if (v !== v) continue; // NaN: transparent (all zero)
      const g = greyLevel(normalize(v));
      if (channels === 2) {
        data[at] = g;
        data[at + 1] = 255;
        continue;
      }
      let r = g;
      let gr = g;
      let b = g;
      const bits = mask!.bits[from + ox]!;
      if (bits !== 0) {
        for (const entry of mask!.legend) {
          if ((bits & (1 << entry.bit)) === 0) continue;
          r += (entry.color[0] - r) * MASK_OPACITY;
          gr += (entry.color[1] - gr) * MASK_OPACITY;
          b += (entry.color[2] - b) * MASK_OPACITY;
        }
      }
      data[at] = Math.round(r);
      data[at + 1] = Math.round(gr);
      data[at + 2] = Math.round(b);
      data[at + 3] = 255;
    }
  }
  return { width, height, channels, data };
}

/**
 * Value → grey level: astropy's `ImageNormalize(interval, stretch, clip=True)` followed by the
 * index matplotlib's 256-entry colormaps use.
 *
 * @packageDocumentation
 */
import type { Limits, StretchName } from "./render-options.js";

/** astropy's default stretch parameters: `AsinhStretch(a=0.1)`, `LogStretch(a=1000)`. */
const ASINH_A = 0.1;
const LOG_A = 1000;

/** A stretch of [0, 1] onto [0, 1], as astropy's `LinearStretch`, `AsinhStretch`, `LogStretch`, `SqrtStretch`. */
export function stretchFunction(name: StretchName): (x: number) => number {
  switch (name) {
    case "linear":
      return (x) => x;
    case "sqrt":
      return Math.sqrt;
    case "log": {
      const norm = Math.log(LOG_A + 1);
      return (x) => Math.log(LOG_A * x + 1) / norm;
    }
    case "asinh": {
      const norm = Math.asinh(1 / ASINH_A);
      return (x) => Math.asinh(x / ASINH_A) / norm;
    }
  }
}

/**
 * The normalised, clipped and stretched value of `v` in [0, 1]; NaN stays NaN. As astropy's
 * `BaseInterval`, a zero-width interval only subtracts `min` (no division) before clipping.
 */
export function normalizer(limits: Limits, stretch: StretchName): (v: number) => number {
  const f = stretchFunction(stretch);
  const { min } = limits;
  const width = limits.max - limits.min;
  return (v) => {
    // a division, as numpy computes it (multiplying by 1 / width can differ in the last bit)
    let t = width !== 0 ? (v - min) / width : v - min;
    if (t < 0) t = 0;
    else if (t > 1) t = 1;
    return f(t);
  };
}

/**
 * The grey level of a stretched value in [0, 1]: `min(255, ⌊256·s⌋)`, the colormap index matplotlib
 * computes (`plt.imsave(..., cmap="gray")` then looks it up in a table that is one level darker at
 * 24 of the 256 entries, an artefact of its float truncation that we do not copy).
 */
export function greyLevel(s: number): number {
  return s >= 1 ? 255 : Math.floor(s * 256);
}

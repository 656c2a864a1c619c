/**
 * The options of a preview (size, interval, stretch, mask overlay, region) and their checking.
 *
 * @packageDocumentation
 */
import { UsageError } from "../errors.js";
import type { IndexRange } from "../fits/index.js";

/** How the display interval `[min, max]` is chosen (astropy's interval classes of the same names). */
export type IntervalName = "zscale" | "minmax" | "percentile";

/** How values in the interval map to grey levels (astropy's stretches of the same names). */
export type StretchName = "linear" | "asinh" | "log" | "sqrt";

/** The display interval, in the image's own units. */
export interface Limits {
  min: number;
  max: number;
}

/** Which pixels to render: half-open index ranges in the image's own (local, 0-based) pixels. */
export interface RenderRegion {
  /** Rows `[start, end)`, row 0 being the first row of the image (FITS NAXIS2 index − 1). */
  rows?: IndexRange;
  /** Columns `[start, end)`. */
  cols?: IndexRange;
}

/**
 * Options of {@link renderPng} and {@link writePng}.
 *
 * ```ts
 * { width: 1024, stretch: "zscale", mapping: "asinh", mask: ["SAT", "CR"] }
 * ```
 */
export interface RenderOptions {
  /**
   * Width of the PNG in pixels. Without `height`, the height follows the aspect ratio; without
   * either, the image's own size. Larger than the image: pixels are repeated (nearest).
   */
  width?: number;
  /** Height of the PNG in pixels (see `width`). */
  height?: number;
  /** The interval (default `"zscale"`): IRAF zscale, the finite min/max, or a central percentile. */
  stretch?: IntervalName;
  /** For `stretch: "percentile"`: the percentage of finite pixels kept, centred (default 99.5). */
  percentile?: number;
  /** The mapping of the interval to grey (default `"linear"`). */
  mapping?: StretchName;
  /** A fixed interval instead of computing one (e.g. the same for every tile of a zoomable view). */
  limits?: Limits;
  /**
   * Overlay mask planes in colour: `true` for every plane the mask defines, or the plane names to
   * show. Needs a source with a mask (a MaskedImage, an Exposure, or a FITS file with a MASK HDU).
   */
  mask?: boolean | readonly string[];
  /** Render only this part of the image (e.g. a tile); the interval is computed over it. */
  region?: RenderRegion;
  /**
   * Where row 0 goes (default `"lower"`: at the bottom, as ds9 and astropy's `imshow(origin="lower")`
   * show FITS images); `"upper"` puts it at the top, as the rows are stored.
   */
  origin?: "lower" | "upper";
}

/** The options with every default filled in and the output size decided. */
export interface ResolvedOptions {
  width: number;
  height: number;
  stretch: IntervalName;
  percentile: number;
  mapping: StretchName;
  limits: Limits | undefined;
  /** The planes to overlay (`true`: all), undefined for none. */
  mask: true | readonly string[] | undefined;
  origin: "lower" | "upper";
}

/** The largest PNG side we render. */
export const MAX_SIDE = 32768;
/** The most PNG pixels we render (8192²): a render holds about 10 bytes per output pixel. */
export const MAX_PIXELS = 1 << 26;

const INTERVALS: readonly IntervalName[] = ["zscale", "minmax", "percentile"];
const STRETCHES: readonly StretchName[] = ["linear", "asinh", "log", "sqrt"];

/**
 * Checks the options and fills in defaults for an image of `imageWidth` × `imageHeight` pixels.
 * @throws UsageError for an unknown stretch or mapping, a size that is not a whole number in
 *   [1, 32768] or more than {@link MAX_PIXELS} pixels in all, a percentile outside (0, 100],
 *   limits that are not finite numbers, a mask that is not a boolean or a list of plane names,
 *   an empty image
 */
export function resolveOptions(options: RenderOptions, imageWidth: number, imageHeight: number): ResolvedOptions {
  if (imageWidth === 0 || imageHeight === 0) throw new UsageError(`the image is ${imageWidth}×${imageHeight}: there is nothing to render`);
  const stretch = options.stretch ?? "zscale";
  if (!INTERVALS.includes(stretch)) throw new UsageError(`unknown stretch ${JSON.stringify(stretch)}; use one of ${INTERVALS.join(", ")}`);
  const mapping = options.mapping ?? "linear";
  if (!STRETCHES.includes(mapping)) throw new UsageError(`unknown mapping ${JSON.stringify(mapping)}; use one of ${STRETCHES.join(", ")}`);
  const percentile = options.percentile ?? 99.5;
  if (typeof percentile !== "number" || !(percentile > 0 && percentile <= 100)) {
    throw new UsageError(`percentile must be a number in (0, 100], got ${String(percentile)}`);
  }
  const limits = options.limits;
  if (limits !== undefined && !(Number.isFinite(limits.min) && Number.isFinite(limits.max))) {
    throw new UsageError(`limits must be finite numbers, got min ${String(limits.min)}, max ${String(limits.max)}`);
  }
  const origin = options.origin ?? "lower";
  if (origin !== "lower" && origin !== "upper") throw new UsageError(`origin must be "lower" or "upper", got ${JSON.stringify(origin)}`);
  const { width, height } = outputSize(options.width, options.height, imageWidth, imageHeight);
  if (width * height > MAX_PIXELS) {
    throw new UsageError(`a ${width}×${height} preview is more than ${MAX_PIXELS} pixels: ask for a smaller width or height`);
  }
  return { width, height, stretch, percentile, mapping, limits, mask: wantedPlanes(options.mask), origin };
}

function wantedPlanes(mask: RenderOptions["mask"]): true | readonly string[] | undefined {
  if (mask === undefined || mask === false) return undefined;
  if (mask === true) return true;
  if (!Array.isArray(mask) || !mask.every((name) => typeof name === "string")) {
    throw new UsageError(`mask must be true, false or a list of plane names, got ${JSON.stringify(mask)}`);
  }
  return mask.length === 0 ? undefined : mask;
}

function outputSize(width: number | undefined, height: number | undefined, imageWidth: number, imageHeight: number): { width: number; height: number } {
  for (const [name, value] of [["width", width], ["height", height]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= MAX_SIDE)) {
      throw new UsageError(`${name} must be a whole number of pixels in [1, ${MAX_SIDE}], got ${String(value)}`);
    }
  }
  const aspect = (given: number, from: number, to: number) => Math.min(MAX_SIDE, Math.max(1, Math.round((given * to) / from)));
  if (width !== undefined && height !== undefined) return { width, height };
  if (width !== undefined) return { width, height: aspect(width, imageWidth, imageHeight) };
  if (height !== undefined) return { width: aspect(height, imageHeight, imageWidth), height };
  if (imageWidth > MAX_SIDE || imageHeight > MAX_SIDE) {
    throw new UsageError(`the image is ${imageWidth}×${imageHeight}: give a width or height of at most ${MAX_SIDE} pixels`);
  }
  return { width: imageWidth, height: imageHeight };
}

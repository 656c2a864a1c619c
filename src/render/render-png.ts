/**
 * Previews: an image, masked image, exposure or FITS image HDU → a PNG at a requested size, with
 * astronomers' intervals (zscale, min/max, percentile) and stretches (linear, asinh, log, sqrt),
 * NaN transparent, and mask planes overlaid in colour.
 *
 * @packageDocumentation
 */
import { basename, dirname } from "node:path";
import { finished } from "node:stream/promises";
import { UsageError } from "../errors.js";
import { AtomicWrite } from "../storage/posix/atomic-write.js";
import { tempNameFor } from "../storage/posix/temp-name.js";
import { BlockAverager } from "./block-averager.js";
import { IntervalPass } from "./interval.js";
import { maskLegend, type MaskLegendEntry } from "./mask-legend.js";
import type { PixelSource } from "./pixel-source.js";
import { encodePng } from "./png-encoder.js";
import { toRaster, type Raster } from "./raster.js";
import { resolveOptions, type Limits, type RenderOptions, type RenderRegion, type IntervalName } from "./render-options.js";
import { pixelSourceOf, type RenderSource } from "./render-source.js";
import { normalizer } from "./stretch.js";

/** What a render made, besides the PNG bytes. */
export interface RenderInfo {
  /** Width of the PNG in pixels. */
  width: number;
  /** Height of the PNG in pixels. */
  height: number;
  /** The interval used, in the image's units (NaN when the image has no finite pixel). */
  limits: Limits;
  /** The overlaid mask planes with their colours (empty without `mask`). */
  legend: MaskLegendEntry[];
}

/** A rendered preview: the PNG and what it shows. */
export interface RenderedPng extends RenderInfo {
  /** The PNG file's bytes: 8-bit grey + alpha, or RGBA with a mask overlay. */
  png: Uint8Array;
}

/**
 * Renders a preview PNG.
 *
 * One pass over the pixels (strip by strip: a FITS HDU is never read whole) block-averages them
 * to the output size and gathers what the interval needs; zscale over an image with NaN pixels
 * and percentiles read the source again (one and two more passes). Memory: a strip or two, plus
 * about 10 bytes per output pixel.
 *
 * ```ts
 * const calexp = await butler.get<Exposure>("calexp", { visit: 1, ccd: 0 });
 * const { png, limits, legend } = await renderPng(calexp, { width: 1024, stretch: "zscale", mask: true });
 *
 * const file = await openFits("big.fits");             // or stream from a file
 * try {
 *   await writePng(file, "big.png", { width: 1024, mapping: "asinh" });
 * } finally {
 *   await file.close();
 * }
 * ```
 *
 * @throws UsageError for bad options (see {@link RenderOptions}), a region outside the image, a
 *   mask overlay on a source without a mask, or an unknown mask plane
 * @throws FitsError when a FITS source holds no 2-D image, or its data is damaged
 * @throws ClosedError when the FITS file was closed
 */
export async function renderPng(source: RenderSource, options: RenderOptions = {}): Promise<RenderedPng> {
  const { raster, info } = await render(source, options);
  return { png: encodePng(raster), ...info };
}

/**
 * Renders a preview PNG into a file — atomically: a temp file beside it, renamed over it once
 * complete, so a failed render never leaves a partial file where a good one stood — or into a
 * writable stream (e.g. an HTTP response), which is ended.
 *
 * @throws the errors of {@link renderPng}, and the file system's or the stream's
 */
export async function writePng(source: RenderSource, destination: string | NodeJS.WritableStream, options: RenderOptions = {}): Promise<RenderInfo> {
  const { raster, info } = await render(source, options);
  const png = encodePng(raster);
  if (typeof destination !== "string") {
    destination.end(png);
    await finished(destination);
    return info;
  }
  const name = basename(destination);
  const write = await AtomicWrite.begin(dirname(destination), name, tempNameFor(name, destination, ".png"), (err) => err as Error);
  try {
    await write.write(png);
    await write.commit();
  } finally {
    await write.abort();
  }
  return info;
}

/**
 * The display interval `renderPng` would use, without rendering: astropy's `ZScaleInterval`,
 * `MinMaxInterval` or `PercentileInterval(percentile)` over the finite pixels.
 *
 * ```ts
 * const { min, max } = await imageLimits(exposure, { stretch: "zscale" });
 * ```
 *
 * @throws UsageError for bad options or a region outside the image
 * @throws FitsError when a FITS source holds no 2-D image
 */
export async function imageLimits(
  source: RenderSource,
  options: { stretch?: IntervalName; percentile?: number; region?: RenderRegion } = {},
): Promise<Limits> {
  const pixels = pixelSourceOf(source, options.region);
  const resolved = resolveOptions({ stretch: options.stretch, percentile: options.percentile, width: 1 }, pixels.width, pixels.height);
  const pass = new IntervalPass(resolved.stretch, pixels.width * pixels.height);
  // a 1×1 average: the one pass gathers count, min, max and the per-row counts
  const stats = new BlockAverager(pixels.width, pixels.height, 1, 1, false);
  for await (const strip of pixels.strips(false)) pass.add(strip, stats.add(strip));
  return pass.limits(pixels, resolved.stretch, resolved.percentile, stats.stats);
}

async function render(source: RenderSource, options: RenderOptions): Promise<{ raster: Raster; info: RenderInfo }> {
  const pixels = pixelSourceOf(source, options.region);
  const resolved = resolveOptions(options, pixels.width, pixels.height);
  const wanted = resolved.mask;
  const planes = wanted === undefined ? undefined : maskPlanesOf(pixels);
  // an unknown plane fails before any pixel is read
  if (planes) maskLegend(planes, wanted!, 0);

  const averager = new BlockAverager(pixels.width, pixels.height, resolved.width, resolved.height, planes !== undefined);
  const pass = new IntervalPass(resolved.limits ? undefined : resolved.stretch, pixels.width * pixels.height);
  for await (const strip of pixels.strips(planes !== undefined)) pass.add(strip, averager.add(strip));
  const limits = resolved.limits ?? (await pass.limits(pixels, resolved.stretch, resolved.percentile, averager.stats));

  let legend: MaskLegendEntry[] = [];
  if (planes) {
    let present = 0;
    for (const bits of averager.mask!) present |= bits;
    legend = maskLegend(planes, wanted!, present);
  }
  const normalize = normalizer(limits, resolved.mapping);
  const overlay = planes ? { bits: averager.mask!, legend } : undefined;
  const raster = toRaster(averager.values, resolved.width, resolved.height, normalize, resolved.origin === "lower", overlay);
  return { raster, info: { width: resolved.width, height: resolved.height, limits, legend } };
}

function maskPlanesOf(pixels: PixelSource): ReadonlyMap<string, number> {
  if (pixels.maskPlanes === undefined) {
    throw new UsageError("this image has no mask to overlay: render a MaskedImage, an Exposure or a FITS file with a MASK HDU, or leave out `mask`");
  }
  return pixels.maskPlanes;
}

/**
 * Previews of images: PNGs with astronomers' intervals and stretches, as astropy's
 * `ImageNormalize(interval=ZScaleInterval(), stretch=AsinhStretch())` + `plt.imsave` would draw them.
 *
 * ```ts
 * import { renderPng, writePng } from "skybutler";
 *
 * const { png, limits, legend } = await renderPng(calexp, { width: 1024, stretch: "zscale", mapping: "asinh", mask: true });
 * await writePng(calexp, "calexp.png", { width: 512 });
 * ```
 *
 * @packageDocumentation
 */
export { renderPng, writePng, imageLimits, type RenderedPng, type RenderInfo } from "./render-png.js";
export type { RenderSource } from "./render-source.js";
export { MAX_SIDE, MAX_PIXELS, type RenderOptions, type RenderRegion, type Limits, type IntervalName, type StretchName } from "./render-options.js";
export type { MaskLegendEntry, Rgb } from "./mask-legend.js";
export { zscaleLimits, ZSCALE_DEFAULTS, type ZScaleParameters } from "./zscale.js";
export { maskPlanesFromHeader } from "./fits-pixel-source.js";

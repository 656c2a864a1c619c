/**
 * What can be rendered, and the {@link PixelSource} each kind becomes.
 *
 * @packageDocumentation
 */
import { UsageError } from "../errors.js";
import { FitsFile, type FitsHdu } from "../fits/index.js";
import { scienceHdu } from "../formatters/exposure-hdus.js";
import { Image, type PixelArray } from "../image/image.js";
import { Exposure, MaskedImage } from "../image/masked-image.js";
import { FitsPixelSource } from "./fits-pixel-source.js";
import { MemoryPixelSource } from "./memory-pixel-source.js";
import type { PixelSource } from "./pixel-source.js";
import type { RenderRegion } from "./render-options.js";

/**
 * An image to preview: in memory (an Image, or the image plane of a MaskedImage or Exposure, with
 * its mask), an image HDU of an open FITS file (read strip by strip), or an open FITS file (its
 * IMAGE HDU, else the first HDU with pixels, and its MASK HDU when there is one).
 */
export type RenderSource = Image<PixelArray> | MaskedImage<PixelArray> | Exposure<PixelArray> | FitsHdu | FitsFile;

/**
 * The pixel source of a render source.
 * @throws FitsError when a FITS source holds no 2-D image
 * @throws UsageError for a region outside the image, or something that is not a RenderSource
 */
export function pixelSourceOf(source: RenderSource, region?: RenderRegion): PixelSource {
  if (source instanceof Exposure) return new MemoryPixelSource(source.image, source.mask, region);
  if (source instanceof MaskedImage) return new MemoryPixelSource(source.image, source.mask, region);
  if (source instanceof Image) return new MemoryPixelSource(source, undefined, region);
  if (source instanceof FitsFile) {
    const image = scienceHdu(source);
    const mask = source.hdus.find((h) => h !== image && h.extname?.trim().toUpperCase() === "MASK");
    return new FitsPixelSource(image, mask, region);
  }
  if (isFitsHdu(source)) return new FitsPixelSource(source, undefined, region);
  throw new UsageError("render an Image, MaskedImage, Exposure, FitsFile or FITS image HDU");
}

function isFitsHdu(value: unknown): value is FitsHdu {
  return typeof value === "object" && value !== null && typeof (value as FitsHdu).readImage === "function" && Array.isArray((value as FitsHdu).shape);
}

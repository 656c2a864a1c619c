/**
 * A {@link PixelSource} over a FITS image HDU (and optionally its MASK HDU): each strip is a
 * ranged read of its rows (for a tile-compressed image, of the tiles they touch), the next strip
 * read while the current one is rendered. Memory: two strips, whatever the image size.
 *
 * @packageDocumentation
 */
import { FitsError } from "../errors.js";
import type { FitsHdu } from "../fits/index.js";
import { asNumbers, stripRows, type PixelSource, type PixelStrip } from "./pixel-source.js";
import { regionRanges } from "./region.js";
import type { RenderRegion } from "./render-options.js";

const MASK_PLANE_PREFIX = "MP_";

/** Mask planes from a MASK HDU's `MP_<NAME> = bit` cards (how LSST writes them). */
export function maskPlanesFromHeader(hdu: FitsHdu): Map<string, number> {
  const planes = new Map<string, number>();
  for (const card of hdu.header.cards) {
    if (card.keyword.startsWith(MASK_PLANE_PREFIX) && typeof card.value === "number" && Number.isInteger(card.value)) {
      planes.set(card.keyword.slice(MASK_PLANE_PREFIX.length), card.value);
    }
  }
  return planes;
}

/** Strips of a FITS image HDU, read on demand. */
export class FitsPixelSource implements PixelSource {
  /** {@inheritDoc PixelSource.width} */
  readonly width: number;
  /** {@inheritDoc PixelSource.height} */
  readonly height: number;
  /** The MASK HDU's planes, from its `MP_*` cards. */
  readonly maskPlanes: ReadonlyMap<string, number> | undefined;
  readonly #image: FitsHdu;
  readonly #mask: FitsHdu | undefined;
  readonly #rows: [number, number];
  readonly #cols: [number, number];
  readonly #flat: boolean;
  readonly #step: number;

  /**
   * @param image - an image HDU (plain or tile-compressed) of 1 or 2 axes, or more with the extra
   *   axes of length 1
   * @param mask - a MASK HDU of the same size (int32 pixels, `MP_*` plane cards)
   * @param region - the part to render
   * @throws FitsError when the HDU holds no pixels, is a cube, or the mask does not match
   * @throws UsageError for a region outside the image
   */
  constructor(image: FitsHdu, mask?: FitsHdu, region?: RenderRegion) {
    const [height, width] = planeSize(image);
    if (mask) {
      const [mh, mw] = planeSize(mask);
      if (mh !== height || mw !== width) throw new FitsError(`the MASK plane is ${mw}×${mh} but the image is ${width}×${height}`, mask.index);
    }
    this.#image = image;
    this.#mask = mask;
    this.maskPlanes = mask ? maskPlanesFromHeader(mask) : undefined;
    [this.#rows, this.#cols] = regionRanges(region, width, height);
    this.width = this.#cols[1] - this.#cols[0];
    this.height = this.#rows[1] - this.#rows[0];
    this.#flat = image.shape.length === 1;
    this.#step = alignToTiles(stripRows(this.width), image);
  }

  /**
   * {@inheritDoc PixelSource.strips}
   * @throws FitsError for damaged data or a MASK plane that is not int32
   * @throws ClosedError after the file is closed
   */
  async *strips(withMask: boolean): AsyncIterable<PixelStrip> {
    const read = (y: number): Promise<PixelStrip> => {
      const promise = this.#read(y, Math.min(this.#step, this.height - y), withMask && this.#mask !== undefined);
      // awaited below; this only stops an abandoned prefetch counting as unhandled
      promise.catch(() => undefined);
      return promise;
    };
    let pending = read(0);
    for (let y = 0; y < this.height; ) {
      const strip = await pending;
      y += strip.rows;
      if (y < this.height) pending = read(y);
      yield strip;
    }
  }

  /**
   * {@inheritDoc PixelSource.readRows}
   * @throws FitsError for damaged data
   * @throws ClosedError after the file is closed
   */
  readRows(y: number, rows: number): Promise<PixelStrip> {
    return this.#read(y, rows, false);
  }

  async #read(y: number, rows: number, withMask: boolean): Promise<PixelStrip> {
    const region = this.#flat ? { cols: this.#cols } : { rows: [this.#rows[0] + y, this.#rows[0] + y + rows] as [number, number], cols: this.#cols };
    const [image, mask] = await Promise.all([this.#image.readImage(region), withMask ? this.#mask!.readImage(region) : undefined]);
    const strip: PixelStrip = { y, rows, data: asNumbers(image.data) };
    if (mask) {
      if (!(mask.data instanceof Int32Array)) throw new FitsError(`the MASK plane must be 32-bit integers, found ${mask.data.constructor.name}`, this.#mask!.index);
      strip.mask = mask.data;
    }
    return strip;
  }
}

/** `[height, width]` of an HDU's image plane. @throws FitsError when it holds no 2-D plane */
function planeSize(hdu: FitsHdu): [number, number] {
  const shape = hdu.shape;
  if ((hdu.kind !== "image" && hdu.kind !== "compressed-image") || shape.length === 0 || shape.some((n) => n === 0)) {
    throw new FitsError(`HDU ${hdu.index} holds no image pixels to render`, hdu.index);
  }
  if (shape.slice(0, -2).some((n) => n !== 1)) {
    throw new FitsError(`HDU ${hdu.index} is a ${shape.join("×")} cube; previews render one 2-D plane`, hdu.index);
  }
  return shape.length === 1 ? [1, shape[0]!] : [shape[shape.length - 2]!, shape[shape.length - 1]!];
}

/** Strip rows as a multiple of a compressed image's tile height, so no tile is decoded twice. */
function alignToTiles(rows: number, hdu: FitsHdu): number {
  if (hdu.kind !== "compressed-image") return rows;
  const tile = hdu.header.get("ZTILE2");
  if (typeof tile !== "number" || !Number.isInteger(tile) || tile < 1) return rows;
  return Math.max(tile, Math.floor(rows / tile) * tile);
}

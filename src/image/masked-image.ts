/**
 * A MaskedImage: image, mask and variance planes of the same size, and an Exposure: a masked image
 * with its metadata.
 *
 * @packageDocumentation
 */
import { Image, type PixelArray } from "./image.js";
import { Mask } from "./mask.js";
import { Header } from "./header.js";

/**
 * Image, mask and variance of the same size and origin.
 *
 * ```ts
 * const mi = MaskedImage.create(64, 64);
 * mi.image.set(0, 0, 10); mi.variance.set(0, 0, 10);
 * ```
 */
export class MaskedImage<T extends PixelArray = Float32Array> {
  /**
   * @throws RangeError when the planes differ in size
   */
  constructor(
    readonly image: Image<T>,
    readonly mask: Mask,
    readonly variance: Image<Float32Array>,
  ) {
    for (const [name, plane] of [["mask", mask], ["variance", variance]] as const) {
      if (plane.width !== image.width || plane.height !== image.height) {
        throw new RangeError(
          `${name} plane is ${plane.width}×${plane.height} but the image is ${image.width}×${image.height}`,
        );
      }
    }
  }

  /** A zero float32 masked image of the given size. */
  static create(width: number, height: number): MaskedImage<Float32Array> {
    return new MaskedImage(new Image(width, height, Float32Array), new Mask(width, height), new Image(width, height, Float32Array));
  }

  /** Width in pixels. */
  get width(): number {
    return this.image.width;
  }

  /** Height in pixels. */
  get height(): number {
    return this.image.height;
  }

  /** A deep copy. */
  clone(): MaskedImage<T> {
    return new MaskedImage(this.image.clone(), this.mask.clone(), this.variance.clone());
  }
}

/**
 * A masked image plus its metadata (the primary FITS header's cards), what a `raw` or `calexp`
 * dataset holds.
 *
 * ```ts
 * const exp = new Exposure(MaskedImage.create(64, 64), Header.fromObject({ FILTER: "g" }));
 * await butler.put(exp, "calexp", { visit: 1, ccd: 0 });
 * ```
 */
export class Exposure<T extends PixelArray = Float32Array> {
  /** @param maskedImage - the pixels; @param metadata - header cards (a new empty header by default) */
  constructor(
    readonly maskedImage: MaskedImage<T>,
    readonly metadata: Header = new Header(),
  ) {}

  /** The science image. */
  get image(): Image<T> {
    return this.maskedImage.image;
  }

  /** The mask. */
  get mask(): Mask {
    return this.maskedImage.mask;
  }

  /** The variance. */
  get variance(): Image<Float32Array> {
    return this.maskedImage.variance;
  }

  /** Width in pixels. */
  get width(): number {
    return this.maskedImage.width;
  }

  /** Height in pixels. */
  get height(): number {
    return this.maskedImage.height;
  }

  /** A deep copy. */
  clone(): Exposure<T> {
    return new Exposure(this.maskedImage.clone(), this.metadata.clone());
  }
}

/**
 * Images: a 2-D pixel array with an origin, the pixel types FITS can store.
 *
 * @packageDocumentation
 */

/** The typed arrays an image can hold, one per FITS pixel type. */
export type PixelArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** A constructor of a {@link PixelArray}, e.g. `Float32Array`. */
export type PixelArrayConstructor<T extends PixelArray> = { new (length: number): T; readonly BYTES_PER_ELEMENT: number };

/**
 * A 2-D image, row-major (`data[y * width + x]`), with the position of its first pixel in the
 * parent frame (`x0`, `y0`; FITS `LTV1`/`LTV2` negated, as in LSST's `xy0`).
 *
 * ```ts
 * const img = new Image(64, 32, Float32Array);
 * img.set(3, 4, 1.5);
 * img.get(3, 4);  // 1.5
 * ```
 */
export class Image<T extends PixelArray = Float32Array> {
  /** Pixel values, row-major. */
  readonly data: T;
  /** Column of the first pixel in the parent frame. */
  x0 = 0;
  /** Row of the first pixel in the parent frame. */
  y0 = 0;

  /**
   * @param width - number of columns
   * @param height - number of rows
   * @param data - the pixels (length width × height) or a typed array constructor for zeros
   * @throws RangeError when the sizes disagree
   */
  constructor(
    readonly width: number,
    readonly height: number,
    data: T | PixelArrayConstructor<T>,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
      throw new RangeError(`image dimensions must be non-negative integers, got ${width}×${height}`);
    }
    this.data = typeof data === "function" ? new data(width * height) : data;
    if (this.data.length !== width * height) {
      throw new RangeError(`image of ${width}×${height} needs ${width * height} pixels, got ${this.data.length}`);
    }
  }

  /** The pixel at column x, row y (local coordinates). */
  get(x: number, y: number): T[number] {
    return this.data[y * this.width + x] as T[number];
  }

  /** Sets the pixel at column x, row y (local coordinates). */
  set(x: number, y: number, value: T[number]): void {
    (this.data as { [i: number]: number | bigint })[y * this.width + x] = value;
  }

  /** A deep copy (same origin). */
  clone(): Image<T> {
    const copy = new Image<T>(this.width, this.height, this.data.slice() as T);
    copy.x0 = this.x0;
    copy.y0 = this.y0;
    return copy;
  }
}

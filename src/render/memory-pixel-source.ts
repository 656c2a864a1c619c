/**
 * A {@link PixelSource} over an in-memory Image (and its Mask): strips are views of the pixels when
 * the region spans whole rows, copies of the region's columns otherwise.
 *
 * @packageDocumentation
 */
import type { Image, PixelArray } from "../image/image.js";
import type { Mask } from "../image/mask.js";
import { asNumbers, stripRows, type NumberArray, type PixelSource, type PixelStrip } from "./pixel-source.js";
import { regionRanges } from "./region.js";
import type { RenderRegion } from "./render-options.js";

/** Strips of an in-memory image. */
export class MemoryPixelSource implements PixelSource {
  /** {@inheritDoc PixelSource.width} */
  readonly width: number;
  /** {@inheritDoc PixelSource.height} */
  readonly height: number;
  readonly #image: Image<PixelArray>;
  readonly #mask: Mask | undefined;
  readonly #rows: [number, number];
  readonly #cols: [number, number];

  /**
   * @param image - the pixels
   * @param mask - its mask (same size), if any
   * @param region - the part to render (default: all)
   * @throws UsageError for a region outside the image
   */
  constructor(image: Image<PixelArray>, mask?: Mask, region?: RenderRegion) {
    this.#image = image;
    this.#mask = mask;
    [this.#rows, this.#cols] = regionRanges(region, image.width, image.height);
    this.width = this.#cols[1] - this.#cols[0];
    this.height = this.#rows[1] - this.#rows[0];
  }

  /** The mask's planes, when there is a mask. */
  get maskPlanes(): ReadonlyMap<string, number> | undefined {
    return this.#mask?.planes;
  }

  /** {@inheritDoc PixelSource.strips} */
  async *strips(withMask: boolean): AsyncIterable<PixelStrip> {
    const data = asNumbers(this.#image.data);
    const mask = withMask ? this.#mask?.data : undefined;
    const step = stripRows(this.width);
    for (let y = 0; y < this.height; y += step) {
      const rows = Math.min(step, this.height - y);
      const strip: PixelStrip = { y, rows, data: this.#cut(data, y, rows) };
      if (mask) strip.mask = this.#cut(mask, y, rows);
      yield strip;
    }
  }

  /** {@inheritDoc PixelSource.readRows} */
  async readRows(y: number, rows: number): Promise<PixelStrip> {
    return { y, rows, data: this.#cut(asNumbers(this.#image.data), y, rows) };
  }

  /** Rows `[y, y + rows)` of the region: a view when whole rows are wanted, else a copy. */
  #cut<T extends NumberArray>(data: T, y: number, rows: number): T {
    const full = this.#image.width;
    const [x0, x1] = this.#cols;
    const first = this.#rows[0] + y;
    if (x0 === 0 && x1 === full) return data.subarray(first * full, (first + rows) * full) as T;
    const out = new (data.constructor as new (n: number) => T)(rows * this.width);
    for (let r = 0; r < rows; r++) {
      const at = (first + r) * full;
      out.set(data.subarray(at + x0, at + x1) as never, r * this.width);
    }
    return out;
  }
}

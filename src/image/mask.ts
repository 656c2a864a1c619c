/**
 * Masks: an int32 image of bit flags with named planes, as in LSST's `Mask` (`MaskPixel` is int32).
 *
 * @packageDocumentation
 */
import { Image } from "./image.js";

/** The planes every new mask starts with, with their bit numbers (LSST's defaults). */
export const DEFAULT_MASK_PLANES: Readonly<Record<string, number>> = Object.freeze({
  BAD: 0,
  SAT: 1,
  INTRP: 2,
  CR: 3,
  EDGE: 4,
  DETECTED: 5,
  DETECTED_NEGATIVE: 6,
  SUSPECT: 7,
  NO_DATA: 8,
});

/**
 * A mask image with named bit planes (written to FITS as `MP_<NAME> = bit` header cards).
 *
 * ```ts
 * const mask = new Mask(64, 64);
 * mask.set(1, 2, mask.bitMask("SAT", "BAD"));
 * ```
 */
export class Mask extends Image<Int32Array> {
  /** Plane name → bit number. */
  readonly planes: Map<string, number>;

  /** @param width - columns; @param height - rows; @param data - pixels (zeros by default); @param planes - plane bits (defaults) */
  constructor(width: number, height: number, data?: Int32Array, planes?: Map<string, number>) {
    super(width, height, data ?? Int32Array);
    this.planes = planes ?? new Map(Object.entries(DEFAULT_MASK_PLANES));
  }

  /** The bit value of one or more planes OR-ed together. @throws RangeError for an unknown plane */
  bitMask(...names: string[]): number {
    let bits = 0;
    for (const name of names) {
      const bit = this.planes.get(name);
      if (bit === undefined) throw new RangeError(`unknown mask plane "${name}"; known: ${[...this.planes.keys()].join(", ")}`);
      bits |= 1 << bit;
    }
    return bits;
  }

  /** Adds a plane at the lowest free bit (or returns the existing bit). @throws RangeError when all 32 bits are used */
  addPlane(name: string): number {
    const existing = this.planes.get(name);
    if (existing !== undefined) return existing;
    const used = new Set(this.planes.values());
    for (let bit = 0; bit < 32; bit++) {
      if (!used.has(bit)) {
        this.planes.set(name, bit);
        return bit;
      }
    }
    throw new RangeError("a mask has at most 32 planes");
  }

  override clone(): Mask {
    const copy = new Mask(this.width, this.height, this.data.slice(), new Map(this.planes));
    copy.x0 = this.x0;
    copy.y0 = this.y0;
    return copy;
  }
}

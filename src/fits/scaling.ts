/**
 * Stored values → physical values: BSCALE/BZERO/BLANK for images, TSCALn/TZEROn/TNULLn for
 * table columns (the same rule, FITS 4.0 §5.3 and §7.3.2).
 *
 * @packageDocumentation
 */
import type { PixelArray } from "../image/image.js";
import { bytesPerPixel, offsetConvention, type Bitpix, type OffsetConstructor } from "./bitpix.js";
import { flipSignBits } from "./byte-order.js";

/** The scaling keywords of an image or a column, already checked to be numbers. */
export interface Scaling {
  /** BSCALE / TSCALn (default 1). */
  scale: number;
  /** BZERO / TZEROn (default 0); a bigint when it does not fit a double exactly (2^63). */
  zero: number | bigint;
  /** BLANK / TNULLn: the stored value that means "undefined" (integer types only). */
  blank?: number | bigint;
}

/** What reading does to the stored values. */
export type Conversion =
  | { kind: "none" }
  | { kind: "offset"; to: OffsetConstructor }
  | { kind: "linear"; to: Float32ArrayConstructor | Float64ArrayConstructor; scale: number; zero: number; blank?: number | bigint };

/**
 * Chooses the conversion: none for scale 1 / zero 0; the unsigned (or signed-byte) offset
 * convention when it matches exactly; otherwise a linear transform to Float32 for 8/16-bit and
 * float32 storage, Float64 for 32/64-bit and float64 storage (what astropy does), with BLANK → NaN.
 */
export function planConversion(bitpix: Bitpix, scaling: Scaling): Conversion {
  const { scale, zero } = scaling;
  if (scale === 1 && (zero === 0 || zero === 0n)) return { kind: "none" };
  if (scale === 1) {
    const to = offsetConvention(bitpix, zero);
    if (to) return { kind: "offset", to };
  }
  const to = bitpix === 8 || bitpix === 16 || bitpix === -32 ? Float32Array : Float64Array;
  const plan: Conversion = { kind: "linear", to, scale, zero: Number(zero) };
  if (scaling.blank !== undefined && bitpix > 0) plan.blank = scaling.blank;
  return plan;
}

/**
 * Applies a conversion to stored values already in native byte order. The offset convention works
 * in place (a sign-bit flip, then the same bytes seen as the unsigned type); the linear one
 * allocates the float result.
 */
export function applyConversion(raw: PixelArray, bitpix: Bitpix, plan: Conversion): PixelArray {
  if (plan.kind === "none") return raw;
  if (plan.kind === "offset") {
    flipSignBits(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), bytesPerPixel(bitpix));
    return new plan.to(raw.buffer as ArrayBuffer, raw.byteOffset, raw.length);
  }
  const out = new plan.to(raw.length);
  const { scale, zero } = plan;
  if (raw instanceof BigInt64Array) {
    const blank = plan.blank === undefined ? undefined : BigInt(plan.blank);
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i]!;
      out[i] = v === blank ? NaN : Number(v) * scale + zero;
    }
    return out;
  }
  const values = raw as Exclude<PixelArray, BigInt64Array | BigUint64Array>;
  if (plan.blank === undefined) {
    for (let i = 0; i < values.length; i++) out[i] = values[i]! * scale + zero;
  } else {
    const blank = Number(plan.blank);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      out[i] = v === blank ? NaN : v * scale + zero;
    }
  }
  return out;
}

/**
 * Pixel storage types: FITS BITPIX values, the typed arrays they map to, and the offset
 * conventions FITS uses to store unsigned (and signed 8-bit) integers in signed types.
 *
 * @packageDocumentation
 */
import type { PixelArray } from "../image/image.js";

/** The BITPIX values of FITS 4.0 Table 8. */
export type Bitpix = 8 | 16 | 32 | 64 | -32 | -64;

/** Whether a header value is a legal BITPIX. */
export function isBitpix(value: unknown): value is Bitpix {
  return value === 8 || value === 16 || value === 32 || value === 64 || value === -32 || value === -64;
}

/** Bytes per element of a BITPIX. */
export function bytesPerPixel(bitpix: Bitpix): 1 | 2 | 4 | 8 {
  return (Math.abs(bitpix) / 8) as 1 | 2 | 4 | 8;
}

type RawConstructor =
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

const RAW: Record<Bitpix, RawConstructor> = {
  8: Uint8Array,
  16: Int16Array,
  32: Int32Array,
  64: BigInt64Array,
  [-32]: Float32Array,
  [-64]: Float64Array,
};

/**
 * A typed array for `length` stored values of this BITPIX, on its own ArrayBuffer at offset 0
 * (so aligned, and `readInto` can fill its bytes directly). Not zero-filled: callers overwrite
 * every byte.
 */
export function allocateRaw(bitpix: Bitpix, length: number): PixelArray {
  const ctor = RAW[bitpix];
  const bytes = Buffer.allocUnsafeSlow(length * ctor.BYTES_PER_ELEMENT);
  return new ctor(bytes.buffer, 0, length);
}

/** How a JavaScript typed array is stored: its BITPIX and the zero offset of its convention. */
export interface StorageType {
  bitpix: Bitpix;
  /** BZERO/TZERO to write, for types stored with an offset (unsigned ints, Int8Array). */
  zero?: number | bigint;
}

/** The offset that maps each unsigned (or, for 8 bits, signed) type onto FITS's stored type. */
const OFFSET_ZERO = { 8: -128, 16: 32768, 32: 2147483648, 64: 9223372036854775808n } as const;

/**
 * The FITS storage of a typed array: Uint16/32/BigUint64 with BZERO 2^15/2^31/2^63 and Int8
 * with BZERO -128 (FITS 4.0 §5.3), every other type natively.
 */
export function storageTypeOf(data: PixelArray): StorageType {
  if (data instanceof Uint8Array) return { bitpix: 8 };
  if (data instanceof Int8Array) return { bitpix: 8, zero: OFFSET_ZERO[8] };
  if (data instanceof Int16Array) return { bitpix: 16 };
  if (data instanceof Uint16Array) return { bitpix: 16, zero: OFFSET_ZERO[16] };
  if (data instanceof Int32Array) return { bitpix: 32 };
  if (data instanceof Uint32Array) return { bitpix: 32, zero: OFFSET_ZERO[32] };
  if (data instanceof BigInt64Array) return { bitpix: 64 };
  if (data instanceof BigUint64Array) return { bitpix: 64, zero: OFFSET_ZERO[64] };
  if (data instanceof Float32Array) return { bitpix: -32 };
  return { bitpix: -64 };
}

/** The typed array a stored integer type becomes under its offset convention. */
export type OffsetConstructor = Int8ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor | BigUint64ArrayConstructor;

/**
 * When a (scale 1, zero) pair is exactly the offset convention of this BITPIX, the typed array to
 * read it as; otherwise undefined. The zero may be a number or a bigint (2^63 parses as bigint).
 */
export function offsetConvention(bitpix: Bitpix, zero: number | bigint): OffsetConstructor | undefined {
  switch (bitpix) {
    case 8:
      return zero === -128 || zero === -128n ? Int8Array : undefined;
    case 16:
      return zero === 32768 || zero === 32768n ? Uint16Array : undefined;
    case 32:
      return zero === 2147483648 || zero === 2147483648n ? Uint32Array : undefined;
    case 64:
      return zero === 9223372036854775808n || zero === 2 ** 63 ? BigUint64Array : undefined;
    default:
      return undefined;
  }
}

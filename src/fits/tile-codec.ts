/**
 * One compressed tile's bytes → its pixels, for every ZCMPTYPE skybutler reads (RICE_1, GZIP_1,
 * GZIP_2, PLIO_1, NOCOMPRESS), and pixels → bytes for the two it writes (RICE_1, GZIP_2). Output
 * never exceeds the tile's pixel count, whatever the input claims.
 *
 * @packageDocumentation
 */
import { gzipSync, unzipSync } from "node:zlib";
import { FitsError } from "../errors.js";
import { swapInPlace } from "./byte-order.js";
import { plioDecode } from "./plio.js";
import { riceDecode, riceEncode, type RiceBytes } from "./rice.js";

/** The element types tiles decode to. */
export type TileType = "u8" | "i16" | "i32" | "i64" | "f32" | "f64";
/** A decoded tile. */
export type TileArray = Uint8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

const CTOR = { u8: Uint8Array, i16: Int16Array, i32: Int32Array, i64: BigInt64Array, f32: Float32Array, f64: Float64Array } as const;

/** Bytes per element of a tile type. */
export function tileTypeBytes(type: TileType): 1 | 2 | 4 | 8 {
  return CTOR[type].BYTES_PER_ELEMENT as 1 | 2 | 4 | 8;
}

/** A fresh tile array (its own aligned buffer). */
export function allocateTile(type: TileType, count: number): TileArray {
  return new CTOR[type](count);
}

/** Rice parameters (ZNAME/ZVAL BLOCKSIZE and BYTEPIX). */
export interface RiceParams {
  blockSize: number;
  bytePix: RiceBytes;
}

/**
 * Decodes one tile.
 * @throws FitsError (without location) for an unsupported algorithm or damaged data
 */
export function decodeTile(algorithm: string, bytes: Uint8Array, count: number, type: TileType, rice: RiceParams): TileArray {
  switch (algorithm) {
    case "RICE_1": {
      if (type === "i64" || type === "f32" || type === "f64") throw new FitsError(`RICE_1 cannot hold ${type} pixels`);
      const coded = new Int32Array(count);
      riceDecode(bytes, coded, count, rice.blockSize, rice.bytePix);
      if (rice.bytePix === 4) return convert(coded, type);
      // 1- and 2-byte codes are unsigned (CFITSIO's unsigned char / short): narrow them first.
      const narrow = rice.bytePix === 2 ? new Int16Array(count) : new Uint8Array(count);
      narrow.set(coded);
      return convert(narrow, type);
    }
    case "PLIO_1": {
      if (bytes.length % 2 !== 0) throw new FitsError("PLIO_1 tile has an odd number of bytes");
      const list = new Int16Array(bytes.length / 2);
      const listBytes = new Uint8Array(list.buffer);
      listBytes.set(bytes);
      swapInPlace(listBytes, 2);
      const pixels = new Int32Array(count);
      plioDecode(list, pixels, count);
      return convert(pixels, type);
    }
    case "GZIP_1":
    case "GZIP_2": {
      const plain = gunzip(bytes, count * 8);
      if (count === 0) return allocateTile(type, 0);
      const size = plain.length / count;
      if (size !== 1 && size !== 2 && size !== 4 && size !== 8) throw new FitsError(`GZIP tile holds ${plain.length} bytes, not a whole number of pixels for ${count}`);
      return fromBigEndian(algorithm === "GZIP_2" ? unshuffle(plain, size) : plain, size, count, type);
    }
    case "NOCOMPRESS":
      return fromBigEndian(bytes, tileTypeBytes(type), count, type);
    default:
      throw new FitsError(`compression ${JSON.stringify(algorithm)} is not supported (RICE_1, GZIP_1, GZIP_2, PLIO_1 and NOCOMPRESS are)`);
  }
}

/** Inflates gzip or zlib data, refusing to produce more than `limit` bytes. */
export function gunzip(bytes: Uint8Array, limit: number): Uint8Array {
  try {
    return unzipSync(bytes, { maxOutputLength: Math.max(1, limit) });
  } catch (error) {
    throw new FitsError(`GZIP tile does not inflate to at most ${limit} bytes: ${(error as Error).message}`, undefined, undefined, { cause: error });
  }
}

/** GZIP_2 stores all most significant bytes first, then the next ones: put them back together. */
function unshuffle(shuffled: Uint8Array, size: number): Uint8Array {
  if (size === 1) return shuffled;
  const count = shuffled.length / size;
  const out = new Uint8Array(shuffled.length);
  for (let k = 0; k < size; k++) {
    const plane = k * count;
    for (let i = 0, o = k; i < count; i++, o += size) out[o] = shuffled[plane + i]!;
  }
  return out;
}

/** Big-endian elements of `size` bytes → a tile of `type` (sign-extending narrower integers). */
function fromBigEndian(bytes: Uint8Array, size: number, count: number, type: TileType): TileArray {
  if (bytes.length !== size * count) throw new FitsError(`tile holds ${bytes.length} bytes, ${size * count} expected`);
  if (size === tileTypeBytes(type)) {
    const out = allocateTile(type, count);
    const outBytes = new Uint8Array(out.buffer);
    outBytes.set(bytes);
    swapInPlace(outBytes, size as 1 | 2 | 4 | 8);
    return out;
  }
  if (size === 8 || type === "i64" || type === "f32" || type === "f64") throw new FitsError(`tile of ${size}-byte pixels cannot become ${type}`);
  const narrow = size === 1 ? new Uint8Array(count) : size === 2 ? new Int16Array(count) : new Int32Array(count);
  const narrowBytes = new Uint8Array(narrow.buffer);
  narrowBytes.set(bytes);
  swapInPlace(narrowBytes, size as 1 | 2 | 4);
  return convert(narrow, type);
}

/** An integer tile as another integer type (typed-array assignment wraps like a C cast). */
function convert(values: Uint8Array | Int16Array | Int32Array, type: TileType): TileArray {
  if (values instanceof CTOR[type]) return values;
  if (type === "i64") return BigInt64Array.from(values, (v) => BigInt(v));
  const out = allocateTile(type, values.length) as Exclude<TileArray, BigInt64Array>;
  out.set(values);
  return out;
}

/**
 * Encodes one tile of integers losslessly: RICE_1 with `bytePix` bytes per pixel, or GZIP_2
 * (byte-shuffled big-endian, then gzip).
 */
export function encodeTile(algorithm: "RICE_1" | "GZIP_2", values: Uint8Array | Int16Array | Int32Array, rice: RiceParams, level: number): Uint8Array {
  if (algorithm === "RICE_1") return riceEncode(values, rice.blockSize, rice.bytePix);
  const size = values.BYTES_PER_ELEMENT;
  const count = values.length;
  const native = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const shuffled = new Uint8Array(native.length);
  // Native little-endian byte size-1-k is big-endian byte k, which goes to plane k.
  for (let k = 0; k < size; k++) {
    const plane = k * count;
    for (let i = 0, at = size - 1 - k; i < count; i++, at += size) shuffled[plane + i] = native[at]!;
  }
  return gzipSync(shuffled, { level });
}

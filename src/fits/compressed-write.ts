/**
 * Writing an integer image tile-compressed (RICE_1 or GZIP_2, lossless): tiles are cut and coded
 * before the file is touched (the heap's size goes in the header), then the descriptor rows and
 * the heap are written through the scratch buffer.
 *
 * @packageDocumentation
 */
import type { Header } from "../image/header.js";
import type { PixelArray } from "../image/image.js";
import { FitsError } from "../errors.js";
import { storageTypeOf } from "./bitpix.js";
import { HeaderBuilder, isCompressionKeyword } from "./hdu-header.js";
import type { ImageCompression } from "./hdu-input.js";
import type { ByteSink } from "./image-io.js";
import type { RiceBytes } from "./rice.js";
import { encodeTile } from "./tile-codec.js";

/** Pixels per Rice block (CFITSIO's default and the standard's). */
const BLOCK_SIZE = 32;
/** zlib level for GZIP_2: masks compress nearly as well at 1, several times faster than at 6. */
const GZIP_LEVEL = 1;

/** A compressed image ready to write. */
export interface CompressedImagePlan {
  header: Header;
  dataSize: number;
  writeData(sink: ByteSink, scratch: Uint8Array): Promise<void>;
}

/**
 * Cuts `data` into tiles and compresses each.
 * @throws FitsError for float or 64-bit data, or a tile shape that does not fit the image
 */
export function planCompressedImage(data: PixelArray, shape: number[], compression: ImageCompression, user: Header | undefined, hdu: number): CompressedImagePlan {
  const type = compression.type ?? "RICE_1";
  if (type !== "RICE_1" && type !== "GZIP_2") throw new FitsError(`compression type ${JSON.stringify(type)} cannot be written (RICE_1 and GZIP_2 can)`, hdu);
  const { bitpix, zero } = storageTypeOf(data);
  if (bitpix < 0 || bitpix === 64) throw new FitsError(`only 8-, 16- and 32-bit integer images can be written compressed, not ${data.constructor.name}`, hdu);
  const axes = [...shape].reverse(); // FITS order
  const tile = compression.tile ? [...compression.tile].reverse() : axes.map((n, k) => (k === 0 ? Math.max(1, n) : 1));
  if (tile.length !== axes.length || !tile.every((t) => Number.isSafeInteger(t) && t >= 1)) {
    throw new FitsError(`tile shape [${compression.tile?.join(", ")}] must have one positive integer per axis of [${shape.join(", ")}]`, hdu);
  }
  const bytePix = (bitpix / 8) as RiceBytes;
  const tiles = cutTiles(data, axes, tile, bitpix as 8 | 16 | 32).map((values) => encodeTile(type, values, { blockSize: BLOCK_SIZE, bytePix }, GZIP_LEVEL));
  const heapSize = tiles.reduce((sum, t) => sum + t.length, 0);
  const wide = heapSize > 0x7fffffff;
  const rowBytes = wide ? 16 : 8;
  const longest = tiles.reduce((max, t) => Math.max(max, t.length), 0);

  const out = new HeaderBuilder(user);
  out.put("XTENSION", "BINTABLE", "binary table extension");
  out.put("BITPIX", 8, "8-bit bytes");
  out.put("NAXIS", 2, "2-dimensional binary table");
  out.put("NAXIS1", rowBytes, "width of table in bytes");
  out.put("NAXIS2", tiles.length, "number of rows in table");
  out.put("PCOUNT", heapSize, "size of special data area");
  out.put("GCOUNT", 1, "one data group (required keyword)");
  out.put("TFIELDS", 1, "number of fields in each row");
  out.put("TTYPE1", "COMPRESSED_DATA", "label for field 1");
  out.put("TFORM1", `1${wide ? "Q" : "P"}B(${longest})`, "data format of field: variable length array");
  out.put("ZIMAGE", true, "extension contains compressed image");
  out.put("ZBITPIX", bitpix, "data type of original image");
  out.put("ZNAXIS", axes.length, "dimension of original image");
  axes.forEach((n, k) => out.put(`ZNAXIS${k + 1}`, n, `length of original image axis`));
  tile.forEach((n, k) => out.put(`ZTILE${k + 1}`, n, `size of tiles to be compressed`));
  out.put("ZCMPTYPE", type, "compression algorithm");
  if (type === "RICE_1") {
    out.put("ZNAME1", "BLOCKSIZE", "compression block size");
    out.put("ZVAL1", BLOCK_SIZE, "pixels per block");
    out.put("ZNAME2", "BYTEPIX", "bytes per pixel (1, 2, 4, or 8)");
    out.put("ZVAL2", bytePix, "bytes per pixel (1, 2, 4, or 8)");
  }
  if (zero !== undefined) {
    out.put("BSCALE", 1);
    out.put("BZERO", zero, "offset data range to that of unsigned integers");
  }
  const header = out.finish((keyword) => isCompressionKeyword(keyword) || keyword === "BSCALE" || keyword === "BZERO");
  return {
    header,
    dataSize: tiles.length * rowBytes + heapSize,
    writeData: (sink, scratch) => writeTiles(sink, scratch, tiles, wide),
  };
}

/** The stored values of each tile, in table order: unsigned conventions already sign-flipped. */
function cutTiles(data: PixelArray, axes: number[], tile: number[], bitpix: 8 | 16 | 32): Array<Uint8Array | Int16Array | Int32Array> {
  const n = axes.length;
  if (n === 0 || axes.some((a) => a === 0)) return [];
  const stored = storedValues(data, bitpix);
  const counts = axes.map((a, k) => Math.ceil(a / tile[k]!));
  const strides = axes.map((_, k) => axes.slice(0, k).reduce((p, a) => p * a, 1));
  const out: Array<Uint8Array | Int16Array | Int32Array> = [];
  const at = new Array<number>(n).fill(0);
  for (;;) {
    const start = at.map((t, k) => t * tile[k]!);
    const dims = start.map((s, k) => Math.min(tile[k]!, axes[k]! - s));
    const values = new (stored.constructor as Int32ArrayConstructor)(dims.reduce((p, d) => p * d, 1));
    // Copy runs along the fastest axis, odometer over the others.
    const inner = [...start];
    for (let dst = 0; ; ) {
      let src = 0;
      for (let k = 0; k < n; k++) src += inner[k]! * strides[k]!;
      values.set((stored as Int32Array).subarray(src, src + dims[0]!), dst);
      dst += dims[0]!;
      let k = 1;
      for (; k < n; k++) {
        if (++inner[k]! < start[k]! + dims[k]!) break;
        inner[k] = start[k]!;
      }
      if (k >= n) break;
    }
    out.push(values);
    let k = 0;
    for (; k < n; k++) {
      if (++at[k]! < counts[k]!) break;
      at[k] = 0;
    }
    if (k === n) return out;
  }
}

/** The integers FITS stores: unsigned (and Int8) data shifted by its BZERO, as a signed (Uint8) view. */
function storedValues(data: PixelArray, bitpix: 8 | 16 | 32): Uint8Array | Int16Array | Int32Array {
  if (data instanceof Uint8Array || data instanceof Int16Array || data instanceof Int32Array) return data;
  if (data instanceof Int8Array) return Uint8Array.from(data, (v) => v + 128);
  if (data instanceof Uint16Array) return Int16Array.from(data, (v) => v - 32768);
  if (data instanceof Uint32Array) return Int32Array.from(data, (v) => v - 2147483648);
  throw new FitsError(`cannot compress ${bitpix}-bit ${data.constructor.name}`);
}

/** The descriptor rows, then the heap, batched through the scratch buffer. */
async function writeTiles(sink: ByteSink, scratch: Uint8Array, tiles: Uint8Array[], wide: boolean): Promise<void> {
  let used = 0;
  const flush = async (): Promise<void> => {
    if (used > 0) await sink.write(scratch.subarray(0, used));
    used = 0;
  };
  const put = async (bytes: Uint8Array): Promise<void> => {
    if (used + bytes.length > scratch.length) await flush();
    if (bytes.length > scratch.length) await sink.write(bytes);
    else {
      scratch.set(bytes, used);
      used += bytes.length;
    }
  };
  const row = new Uint8Array(wide ? 16 : 8);
  const view = new DataView(row.buffer);
  let offset = 0;
  for (const t of tiles) {
    if (wide) {
      view.setBigInt64(0, BigInt(t.length));
      view.setBigInt64(8, BigInt(offset));
    } else {
      view.setInt32(0, t.length);
      view.setInt32(4, offset);
    }
    await put(row);
    offset += t.length;
  }
  for (const t of tiles) await put(t);
  await flush();
}

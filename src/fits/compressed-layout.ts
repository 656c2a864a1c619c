/**
 * What a tile-compressed image's header (ZIMAGE = T, FITS 4.0 §10) says: the image it holds, its
 * tiles, the algorithm and its parameters, quantization, and which table columns carry what.
 * Checked once when the file is opened.
 *
 * @packageDocumentation
 */
import { isBitpix, type Bitpix } from "./bitpix.js";
import type { HeaderChecks } from "./header-checks.js";
import type { ColumnLayout, TableLayout } from "./hdu-layout.js";
import type { QuantizeMethod } from "./quantize.js";
import type { RiceBytes } from "./rice.js";
import type { Scaling } from "./scaling.js";

/** The geometry and coding of a compressed image. */
export interface CompressedLayout {
  zbitpix: Bitpix;
  /** ZNAXISn, FITS order (fastest first). */
  axes: number[];
  /** ZTILEn, FITS order. */
  tile: number[];
  /** ZCMPTYPE, with fpack's RICE_ONE read as RICE_1. */
  algorithm: string;
  blockSize: number;
  bytePix: RiceBytes;
  /** How float tiles were quantized; undefined for integer images and lossless floats. */
  quantize?: QuantizeMethod;
  ditherSeed: number;
  /** BSCALE/BZERO/BLANK of the image (integer images). */
  scaling: Scaling;
  data: ColumnLayout;
  /** GZIP_COMPRESSED_DATA: float tiles that could not be quantized, gzipped losslessly. */
  gzipData?: ColumnLayout;
  /** UNCOMPRESSED_DATA: tiles stored as they are. */
  rawData?: ColumnLayout;
  /** Per-tile ZSCALE/ZZERO/ZBLANK columns, or the keyword values that hold for every tile. */
  zscale: ColumnLayout | number | undefined;
  zzero: ColumnLayout | number | undefined;
  zblank: ColumnLayout | number | undefined;
  /** THEAP: where the heap starts, from the start of the data. */
  heapOffset: number;
}

/**
 * The most pixels a compressed byte can stand for: a PLIO run instruction codes 4095 pixels in two
 * bytes, GZIP at most 1032 bytes per byte, Rice 85 pixels per byte. Images claiming more are
 * refused, so a damaged header cannot make the reader allocate more than the file justifies.
 */
export const MAX_PIXELS_PER_BYTE = 4096;

const VARIABLE = new Set(["P", "Q"]);

/**
 * Reads the Z keywords of a compressed image.
 * @throws FitsError for a bad ZBITPIX, ZNAXISn, ZTILEn, ZVALn, a tile count that disagrees with
 *   the rows, a missing COMPRESSED_DATA column, a THEAP outside the data, or an image larger than
 *   its compressed data could hold
 */
export function describeCompressed(checks: HeaderChecks, table: TableLayout, dataSize: number): CompressedLayout {
  const zbitpix = checks.integer("ZBITPIX");
  if (!isBitpix(zbitpix)) throw checks.error(`ZBITPIX = ${zbitpix} is not one of 8, 16, 32, 64, -32, -64`, "ZBITPIX");
  const naxis = checks.integer("ZNAXIS", { min: 0, max: 999 });
  const axes: number[] = [];
  const tile: number[] = [];
  for (let n = 1; n <= naxis; n++) axes.push(checks.integer(`ZNAXIS${n}`, { min: 0, max: Number.MAX_SAFE_INTEGER }));
  // Default tiling is row by row (FITS 4.0 §10.1.1).
  for (let n = 1; n <= naxis; n++) tile.push(checks.integer(`ZTILE${n}`, { min: 1, max: Number.MAX_SAFE_INTEGER, fallback: n === 1 ? Math.max(1, axes[0]!) : 1 }));
  let tiles = naxis === 0 ? 0 : 1;
  let pixels = naxis === 0 ? 0 : 1;
  for (let n = 0; n < naxis; n++) {
    tiles *= Math.ceil(axes[n]! / tile[n]!);
    pixels *= axes[n]!;
  }
  if (pixels > MAX_PIXELS_PER_BYTE * (dataSize + 64)) {
    throw checks.error(`the compressed image claims ${pixels} pixels, more than its ${dataSize} bytes of compressed data can hold`, `ZNAXIS${naxis}`);
  }
  if (tiles !== table.nrows) throw checks.error(`ZNAXISn/ZTILEn make ${tiles} tiles but the table has ${table.nrows} rows`, "NAXIS2");

  const raw = checks.string("ZCMPTYPE")?.trim().toUpperCase();
  if (raw === undefined) throw checks.error("missing required keyword ZCMPTYPE", "ZCMPTYPE");
  const algorithm = raw === "RICE_ONE" ? "RICE_1" : raw;
  let blockSize = 32;
  // Without a BYTEPIX parameter, pixels are coded at their own size (4 bytes for floats' integers).
  let bytePix: RiceBytes = zbitpix === 8 ? 1 : zbitpix === 16 ? 2 : 4;
  for (let n = 1; checks.value(`ZNAME${n}`) !== undefined; n++) {
    const name = checks.string(`ZNAME${n}`)?.trim().toUpperCase();
    if (name === "BLOCKSIZE") blockSize = checks.integer(`ZVAL${n}`, { min: 1, max: 1 << 20 });
    if (name === "BYTEPIX") {
      const value = checks.integer(`ZVAL${n}`);
      if (value !== 1 && value !== 2 && value !== 4) throw checks.error(`BYTEPIX = ${value} must be 1, 2 or 4`, `ZVAL${n}`);
      bytePix = value;
    }
  }

  const column = (name: string): ColumnLayout | undefined => table.columns.find((c) => c.name.toUpperCase() === name);
  const data = column("COMPRESSED_DATA");
  if (!data || !VARIABLE.has(data.tform.code)) throw checks.error("a compressed image needs a variable-length COMPRESSED_DATA column", "TFIELDS");
  const keywordOrColumn = (name: string): ColumnLayout | number | undefined => {
    const c = column(name);
    if (c) return c;
    const v = checks.value(name);
    return typeof v === "number" ? v : undefined;
  };
  const zscale = keywordOrColumn("ZSCALE");
  const method = checks.string("ZQUANTIZ")?.trim().toUpperCase();
  const layout: CompressedLayout = {
    zbitpix,
    axes,
    tile,
    algorithm,
    blockSize,
    bytePix,
    ditherSeed: checks.integer("ZDITHER0", { fallback: 1 }),
    scaling: { scale: Number(checks.number("BSCALE", 1)), zero: checks.number("BZERO", 0) },
    data,
    zscale,
    zzero: keywordOrColumn("ZZERO"),
    zblank: keywordOrColumn("ZBLANK"),
    heapOffset: checks.integer("THEAP", { min: table.rowBytes * table.nrows, max: dataSize, fallback: table.rowBytes * table.nrows }),
  };
  const blank = checks.integerOrBig("BLANK");
  if (blank !== undefined) layout.scaling.blank = blank;
  if (zbitpix < 0 && zscale !== undefined) {
    layout.quantize = method === "SUBTRACTIVE_DITHER_1" || method === "SUBTRACTIVE_DITHER_2" ? method : "NO_DITHER";
  }
  const gzipData = column("GZIP_COMPRESSED_DATA");
  if (gzipData && VARIABLE.has(gzipData.tform.code)) layout.gzipData = gzipData;
  const rawData = column("UNCOMPRESSED_DATA");
  if (rawData && VARIABLE.has(rawData.tform.code)) layout.rawData = rawData;
  return layout;
}

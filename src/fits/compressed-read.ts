/**
 * Reading a tile-compressed image: whole (one read of the data unit, then every tile decoded from
 * memory) or a sub-image (the row table, then only the tiles the region touches, each one ranged
 * read of its heap bytes). Values equal CFITSIO's, dithering included.
 *
 * @packageDocumentation
 */
import { FitsError } from "../errors.js";
import type { PixelArray } from "../image/image.js";
import type { Bitpix } from "./bitpix.js";
import { readExactly, type ByteSource } from "./byte-source.js";
import type { OnesComplementSum } from "./checksum.js";
import { MAX_PIXELS_PER_BYTE, type CompressedLayout } from "./compressed-layout.js";
import type { ColumnLayout, HduLayout } from "./hdu-layout.js";
import { readDescriptor, spanBytes } from "./heap.js";
import { runPool, selectRanges, type ImageData, type ImageRegion } from "./image-io.js";
import { unquantize, type TileQuantization } from "./quantize.js";
import { riceDecode } from "./rice.js";
import { applyConversion, planConversion } from "./scaling.js";
import { allocateTile, decodeTile, type TileArray, type TileType } from "./tile-codec.js";
import { ELEMENT_BITS } from "./tform.js";

const INTEGER_TILE: Record<number, TileType> = { 8: "u8", 16: "i16", 32: "i32", 64: "i64" };
const FLOAT_TILE: Record<number, TileType> = { [-32]: "f32", [-64]: "f64" };
const CONCURRENT_READS = 4;

/** Everything one tile's decoding needs. */
interface TileJob {
  /** 0-based tile number (table row). */
  index: number;
  start: number[];
  dims: number[];
}

/**
 * Reads a compressed image or a region of it, as physical values (BSCALE/BZERO/BLANK applied to
 * integer images as for plain ones; quantized floats unquantized, ZBLANK → NaN).
 * @param sum - when given and the whole image is read, the data unit's bytes are added to it
 * @throws FitsError for a region outside the image, an unsupported algorithm, or damaged tiles
 *   (with the HDU and the byte offset of the tile's descriptor)
 */
export async function readCompressedImage(source: ByteSource, layout: HduLayout, region: ImageRegion = {}, sum?: OnesComplementSum): Promise<ImageData> {
  const c = layout.compressed!;
  const table = layout.table!;
  const selection = selectRanges(layout.shape, region, layout.index).reverse(); // FITS order
  const outDims = selection.map(([a, b]) => b - a);
  const count = outDims.reduce((p, n) => p * n, outDims.length === 0 ? 0 : 1);
  const whole = selection.every(([a, b], k) => a === 0 && b === c.axes[k]);
  const outType = c.zbitpix > 0 ? INTEGER_TILE[c.zbitpix]! : FLOAT_TILE[c.zbitpix]!;
  const out = allocateTile(outType, count);
  if (count > 0) {
    const tableBytes = table.rowBytes * table.nrows;
    // A whole image needs every byte anyway: one read, and the checksum comes for free.
    const all = whole ? await readExactly(source, layout.dataOffset, layout.dataSize, layout.index) : undefined;
    if (all) sum?.update(all);
    const rows = all ? all.subarray(0, tableBytes) : await readExactly(source, layout.dataOffset, tableBytes, layout.index);
    const view = new DataView(rows.buffer, rows.byteOffset, rows.byteLength);
    const heapAt = (offset: number, length: number): Promise<Uint8Array> | Uint8Array =>
      all ? all.subarray(c.heapOffset + offset, c.heapOffset + offset + length) : readExactly(source, layout.dataOffset + c.heapOffset + offset, length, layout.index);
    const direct: Direct = { out, scratch: new Int32Array(0) };
    await runPool(tilesTouched(c, selection), CONCURRENT_READS, async (job) => {
      const tile = await decodeOne(c, layout, view, job, heapAt, direct, contiguousAt(job, selection, outDims));
      if (tile) copyBox(tile, job, out, selection, outDims);
    });
  }
  const data: PixelArray = c.zbitpix > 0 ? applyConversion(out, c.zbitpix as Bitpix, planConversion(c.zbitpix as Bitpix, c.scaling)) : out;
  return { data, shape: [...outDims].reverse() };
}

/** The tiles a selection touches, in table order. */
function* tilesTouched(c: CompressedLayout, selection: Array<[number, number]>): Generator<TileJob> {
  const n = c.axes.length;
  const counts = c.axes.map((axis, k) => Math.ceil(axis / c.tile[k]!));
  const first = selection.map(([a], k) => Math.floor(a / c.tile[k]!));
  const last = selection.map(([, b], k) => Math.floor((b - 1) / c.tile[k]!));
  const at = [...first];
  for (;;) {
    let index = 0;
    for (let k = n - 1; k >= 0; k--) index = index * counts[k]! + at[k]!;
    const start = at.map((t, k) => t * c.tile[k]!);
    yield { index, start, dims: start.map((s, k) => Math.min(c.tile[k]!, c.axes[k]! - s)) };
    let k = 0;
    for (; k < n; k++) {
      if (++at[k]! <= last[k]!) break;
      at[k] = first[k]!;
    }
    if (k === n) return;
  }
}

type HeapReader = (offset: number, length: number) => Promise<Uint8Array> | Uint8Array;

/**
 * The fast path for a tile that is one contiguous block of the output (row tiles of a whole-width
 * read): decode straight into it, through one reused scratch array, with no per-tile copy.
 */
interface Direct {
  out: TileArray;
  scratch: Int32Array;
}

/** The tile's offset in the output when its box is one contiguous run there, else undefined. */
function contiguousAt(job: TileJob, selection: Array<[number, number]>, outDims: number[]): number | undefined {
  let at = 0;
  let stride = 1;
  let partial = false;
  for (let k = 0; k < job.dims.length; k++) {
    const start = job.start[k]! - selection[k]![0];
    if (start < 0 || start + job.dims[k]! > outDims[k]!) return undefined;
    // Once an axis is partly covered, every slower axis must be a single index.
    if (partial && job.dims[k] !== 1) return undefined;
    if (job.dims[k] !== outDims[k]) partial = true;
    at += start * stride;
    stride *= outDims[k]!;
  }
  return at;
}

/**
 * Reads and decodes one tile into the output's element type; returns undefined when it was
 * decoded straight into the output at `at` (see {@link Direct}).
 */
async function decodeOne(c: CompressedLayout, layout: HduLayout, view: DataView, job: TileJob, heapAt: HeapReader, direct: Direct, at: number | undefined): Promise<TileArray | undefined> {
  const table = layout.table!;
  const npix = job.dims.reduce((p, d) => p * d, 1);
  const rowAt = job.index * table.rowBytes;
  const heapSize = layout.dataSize - c.heapOffset;
  const floatType = FLOAT_TILE[c.zbitpix];
  // Which column holds this tile: normally COMPRESSED_DATA; an empty one defers to the lossless
  // GZIP_COMPRESSED_DATA (floats that could not be quantized) or UNCOMPRESSED_DATA.
  let column: ColumnLayout = c.data;
  let where = descriptorOf(column);
  if (where.d.count === 0) {
    for (const other of [c.gzipData, c.rawData]) {
      if (!other) continue;
      const found = descriptorOf(other);
      if (found.d.count > 0) {
        column = other;
        where = found;
        break;
      }
    }
  }
  const bits = ELEMENT_BITS[column.tform.arrayCode as keyof typeof ELEMENT_BITS] ?? 8;
  const length = spanBytes(where.d, bits, heapSize, layout.index, where.fileOffset);
  if (npix > MAX_PIXELS_PER_BYTE * (length + 64)) {
    throw new FitsError(`tile ${job.index + 1} claims ${npix} pixels from ${length} compressed bytes, more than any FITS compression yields`, layout.index, where.fileOffset);
  }
  const bytes = await heapAt(where.d.offset, length);
  // Synchronous from here on: the shared scratch array is safe across concurrent tile reads.
  try {
    if (at !== undefined && column === c.data && c.algorithm === "RICE_1" && (c.quantize ? c.bytePix === 4 : c.zbitpix === c.bytePix * 8)) {
      if (direct.scratch.length < npix) direct.scratch = new Int32Array(npix);
      riceDecode(bytes, direct.scratch, npix, c.blockSize, c.bytePix);
      const ints = direct.scratch.subarray(0, npix);
      if (!c.quantize) {
        // Int16/Uint8 outputs narrow CFITSIO's unsigned 2- and 1-byte codes as its casts do.
        (direct.out as Int32Array).set(ints, at);
        return undefined;
      }
      unquantize(ints, npix, quantization(), (direct.out as Float32Array | Float64Array).subarray(at, at + npix));
      return undefined;
    }
    if (column === c.rawData) return decodeTile("NOCOMPRESS", bytes, npix, rawType(bits, c.zbitpix), c);
    if (column === c.gzipData || !c.quantize) {
      const tile = decodeTile(column === c.gzipData ? "GZIP_1" : c.algorithm, bytes, npix, floatType ?? INTEGER_TILE[c.zbitpix]!, c);
      // With ZBLANK the image declares nulls: lossless float tiles hold them as NaNs of any
      // payload (fpack writes 0xffffffff); like CFITSIO, return them as the one NaN.
      if (floatType && c.zblank !== undefined) canonicalNaNs(tile as Float32Array | Float64Array);
      return tile;
    }
    const ints = decodeTile(c.algorithm, bytes, npix, "i32", c) as Int32Array;
    const floats = allocateTile(floatType!, npix) as Float32Array | Float64Array;
    unquantize(ints, npix, quantization(), floats);
    return floats;
  } catch (error) {
    if (error instanceof FitsError && error.hdu === undefined) {
      throw new FitsError(`tile ${job.index + 1}: ${error.message}`, layout.index, layout.dataOffset + c.heapOffset + where.d.offset, { cause: error });
    }
    throw error;
  }

  function quantization(): TileQuantization {
    const q: TileQuantization = { method: c.quantize!, scale: scalar(c.zscale, 1), zero: scalar(c.zzero, 0), ditherRow: job.index + c.ditherSeed };
    if (c.zblank !== undefined) q.blank = scalar(c.zblank, 0);
    return q;
  }

  function descriptorOf(col: ColumnLayout): { d: ReturnType<typeof readDescriptor>; fileOffset: number } {
    const fileOffset = layout.dataOffset + rowAt + col.offset;
    return { d: readDescriptor(view, rowAt + col.offset, col.tform.code === "Q", layout.index, fileOffset), fileOffset };
  }

  function scalar(value: ColumnLayout | number | undefined, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value === "number") return value;
    const at = rowAt + value.offset;
    switch (value.tform.code) {
      case "D":
        return view.getFloat64(at);
      case "E":
        return view.getFloat32(at);
      case "J":
        return view.getInt32(at);
      case "I":
        return view.getInt16(at);
      case "K":
        return Number(view.getBigInt64(at));
      default:
        return view.getUint8(at);
    }
  }
}

function canonicalNaNs(values: Float32Array | Float64Array): void {
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) values[i] = NaN;
}

/** The tile type of UNCOMPRESSED_DATA elements of `bits` bits. */
function rawType(bits: number, zbitpix: number): TileType {
  if (zbitpix < 0) return bits === 64 ? "f64" : "f32";
  return bits === 8 ? "u8" : bits === 16 ? "i16" : bits === 32 ? "i32" : "i64";
}

/** Copies the part of a tile inside the selection to its place in the output (FITS order). */
function copyBox(tile: TileArray, job: TileJob, out: TileArray, selection: Array<[number, number]>, outDims: number[]): void {
  const n = job.dims.length;
  const lo = job.start.map((s, k) => Math.max(s, selection[k]![0]));
  const hi = job.start.map((s, k) => Math.min(s + job.dims[k]!, selection[k]![1]));
  if (lo.some((l, k) => l >= hi[k]!)) return;
  const run = hi[0]! - lo[0]!;
  const at = [...lo];
  for (;;) {
    let src = 0;
    let dst = 0;
    for (let k = n - 1; k >= 0; k--) {
      src = src * job.dims[k]! + (at[k]! - job.start[k]!);
      dst = dst * outDims[k]! + (at[k]! - selection[k]![0]);
    }
    (out as Int32Array).set((tile as Int32Array).subarray(src, src + run), dst);
    let k = 1;
    for (; k < n; k++) {
      if (++at[k]! < hi[k]!) break;
      at[k] = lo[k]!;
    }
    if (k >= n) return;
  }
}

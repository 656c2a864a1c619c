/**
 * Reading a binary table into columns: rows are read in chunks into two scratch buffers (the next
 * chunk is read while this one is gathered) and each column's elements gathered into its own typed
 * array in native byte order (4- and 8-byte fields by wasm and a SIMD swap, see SwapScratch; others
 * in one JavaScript pass), which is then scaled as a whole.
 *
 * @packageDocumentation
 */
import type { PixelArray } from "../image/image.js";
import { FitsError } from "../errors.js";
import { allocateRaw, bytesPerPixel, type Bitpix } from "./bitpix.js";
import { readFully, type ByteSource } from "./byte-source.js";
import type { OnesComplementSum } from "./checksum.js";
import type { ColumnLayout, HduLayout } from "./hdu-layout.js";
import { gatherColumn, gatherColumnSwapped } from "./row-bytes.js";
import { SwapScratch } from "./swap-scratch.js";
import { applyConversion, planConversion } from "./scaling.js";
import { NUMERIC_CODES } from "./tform.js";
import { bitsToBooleans } from "./bits.js";
import { heapReader, readVarColumn, type VarColumn } from "./vla-read.js";

/**
 * A table column's values: typed arrays for numbers, `string[]` for A, `boolean[]` for L and X
 * (bits), interleaved `[re, im, re, im …]` Float32Array for C and Float64Array for M.
 */
export type TableColumn = PixelArray | string[] | boolean[];

/** A table read into columns. */
export interface TableData {
  nrows: number;
  /**
   * Name → values, every column in table order (as astropy and CFITSIO show them): a fixed-width
   * column with repeat r holds `nrows * r` values, row after row; a variable-length (P/Q) column
   * holds one array per row (named in `variable`).
   */
  columns: Record<string, TableColumn | VarColumn>;
  /** Name → TUNITn, for the columns that have one. */
  units: Record<string, string>;
  /** Name → values per row (the r of `rT`; 1 for scalars and for strings, which are one value per row). */
  repeats: Record<string, number>;
  /**
   * Name → TNULLn for integer columns read as integers: those stored values mean "undefined".
   * (Scaled columns become floats with NaN instead and are not listed.)
   */
  nulls: Record<string, number | bigint>;
  /** Names of the variable-length (P/Q) columns, in table order: their values are one array per row. */
  variable: string[];
  /** Name → TDIMn as a row-major per-row shape, for the columns that have one. */
  dims: Record<string, number[]>;
  /** Name → TFORMn, e.g. `"16X"`, `"1PE(30)"`: how each column is stored. */
  tforms: Record<string, string>;
}

/** Bytes of rows read per chunk. */
const CHUNK_BYTES = 4 << 20;

/**
 * The buffers of one read: two chunks (the next is read while this one is gathered) and a staging
 * area a column's part of a chunk is gathered into, swapped and copied out of. One set is kept
 * between reads: fresh ones cost page faults and, freed, a mark-compact for "external memory
 * pressure" (measured ~30% of the CPU time of a 1,000,000-row read). Bounded: 12 MiB whatever the
 * number of reads; concurrent readers make their own.
 */
let idleScratch: SwapScratch | undefined;

/** Below this many bytes of rows a table is read through buffers of its own size. */
const SMALL_TABLE_BYTES = 1 << 20;

function takeScratch(): SwapScratch {
  const scratch = idleScratch ?? new SwapScratch(3 * CHUNK_BYTES);
  idleScratch = undefined;
  return scratch;
}

/** What a column is gathered into while the rows stream past. */
interface Target {
  column: ColumnLayout;
  bytes: Uint8Array;
  raw?: PixelArray;
  bitpix?: Bitpix;
  /** Element size of a numeric column, gathered straight into native order; none for bytes as stored. */
  size?: 1 | 2 | 4 | 8;
}

/**
 * Reads every column of a binary table (every TFORM type with any repeat), applying TSCALn/TZEROn
 * (unsigned conventions become Uint16/Uint32/BigUint64/Int8 arrays, other scalings floats with
 * TNULLn → NaN). Variable-length columns are read from the heap, one array per row, into `columns` too.
 *
 * @param sum - when given, the row bytes are added to it (for DATASUM)
 * @throws FitsError for an HDU that is not a binary table, or a variable-length descriptor
 *   outside the heap
 */
export async function readBinTableData(source: ByteSource, layout: HduLayout, sum?: OnesComplementSum): Promise<TableData> {
  const table = layout.table;
  if (layout.kind !== "bintable" || !table) {
    throw new FitsError(`HDU ${layout.index} is a ${layout.kind}, not a binary table; readTable cannot read it yet`, layout.index);
  }
  const { nrows, rowBytes } = table;
  const targets = table.columns.map((column) => allocateTarget(column, nrows));
  if (nrows > 0 && rowBytes > 0) {
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
    // Small tables, and rows wider than a chunk (rare): buffers of their own, gathered in JavaScript.
    const chunkBytes = Math.min(rowsPerChunk, nrows) * rowBytes;
    const scratch = chunkBytes >= SMALL_TABLE_BYTES && rowBytes <= CHUNK_BYTES ? takeScratch() : undefined;
    const chunks = scratch
      ? [scratch.bytes.subarray(0, CHUNK_BYTES), scratch.bytes.subarray(CHUNK_BYTES, 2 * CHUNK_BYTES)]
      : [new Uint8Array(chunkBytes), new Uint8Array(chunkBytes)];
    const staging = scratch?.bytes.subarray(2 * CHUNK_BYTES);
    const read = (first: number, into: Uint8Array): Promise<void> => {
      const chunk = into.subarray(0, Math.min(rowsPerChunk, nrows - first) * rowBytes);
      return readFully(source, layout.dataOffset + first * rowBytes, chunk, layout.index);
    };
    let reading: Promise<void> | undefined = read(0, chunks[0]!);
    for (let first = 0, which = 0; first < nrows; first += rowsPerChunk, which ^= 1) {
      const rows = Math.min(rowsPerChunk, nrows - first);
      const chunk = chunks[which]!.subarray(0, rows * rowBytes);
      await reading;
      reading = first + rows < nrows ? read(first + rows, chunks[which ^ 1]!) : undefined;
      // A failure of the read ahead surfaces at the next await; this only stops it counting as unhandled.
      reading?.catch(() => undefined);
      sum?.update(chunk);
      for (const t of targets) {
        const { offset, tform } = t.column;
        const { width } = tform;
        if (t.size === undefined) gatherColumn(chunk, rowBytes, offset, width, rows, t.bytes, first * width);
        else if (scratch && staging && scratch.gather(chunk, rowBytes, offset, width, rows, staging)) {
          const run = staging.subarray(0, rows * width);
          scratch.swap(run, t.size);
          t.bytes.set(run, first * width);
        } else gatherColumnSwapped(chunk, rowBytes, offset, width, t.size, rows, t.bytes, first * width);
      }
    }
    // only now, with no read in flight (a failure above leaves the buffers to the collector)
    if (scratch) idleScratch = scratch;
  }
  const result: TableData = { nrows, columns: {}, units: {}, repeats: {}, nulls: {}, variable: [], dims: {}, tforms: {} };
  const heap = heapReader(source, layout);
  for (const t of targets) {
    const { name, tform, unit, scaling, dims, text } = t.column;
    result.repeats[name] = tform.code === "A" || tform.code === "P" || tform.code === "Q" ? 1 : tform.repeat;
    result.tforms[name] = text;
    if (unit !== undefined) result.units[name] = unit;
    if (dims !== undefined) result.dims[name] = dims;
    if (tform.code === "A") result.columns[name] = decodeStrings(t.bytes, tform.width, nrows);
    else if (tform.code === "L") result.columns[name] = Array.from(t.bytes, (b) => b === 0x54);
    else if (tform.code === "X") result.columns[name] = rowBits(t.bytes, tform.width, tform.repeat, nrows);
    else if (tform.code === "P" || tform.code === "Q") {
      result.columns[name] = await readVarColumn(layout, t.column, t.bytes, heap);
      result.variable.push(name);
    }
    else if (tform.code === "C" || tform.code === "M") {
      result.columns[name] = t.raw!;
    } else {
      const bitpix = t.bitpix!;
      const plan = planConversion(bitpix, scaling);
      result.columns[name] = applyConversion(t.raw!, bitpix, plan);
      if (bitpix > 0 && plan.kind !== "linear" && scaling.blank !== undefined) result.nulls[name] = scaling.blank;
    }
  }
  return result;
}

function allocateTarget(column: ColumnLayout, nrows: number): Target {
  const { code, repeat, width } = column.tform;
  const bitpix = NUMERIC_CODES[code];
  if (bitpix !== undefined) {
    const raw = allocateRaw(bitpix, nrows * repeat);
    return { column, raw, bitpix, size: bytesPerPixel(bitpix), bytes: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) };
  }
  if (code === "C" || code === "M") {
    const raw = new (code === "C" ? Float32Array : Float64Array)(nrows * repeat * 2);
    return { column, raw, size: code === "C" ? 4 : 8, bytes: new Uint8Array(raw.buffer) };
  }
  return { column, bytes: new Uint8Array(nrows * width) };
}

/** Each row's `count` bits as booleans, row after row. */
function rowBits(bytes: Uint8Array, width: number, count: number, nrows: number): boolean[] {
  const out: boolean[] = [];
  for (let r = 0; r < nrows; r++) for (const b of bitsToBooleans(bytes.subarray(r * width, (r + 1) * width), count)) out.push(b);
  return out;
}

/** FITS strings end at the first NUL; trailing blanks are padding (FITS 4.0 §7.3.3.1). */
function decodeStrings(bytes: Uint8Array, width: number, nrows: number): string[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: string[] = new Array(nrows);
  for (let r = 0, start = 0; r < nrows; r++, start += width) {
    const nul = buffer.subarray(start, start + width).indexOf(0);
    const end = nul < 0 ? start + width : start + nul;
    out[r] = buffer.toString("latin1", start, end).replace(/ +$/, "");
  }
  return out;
}

/**
 * Reading a binary table into columns: rows are read in chunks into one scratch buffer and each
 * column's bytes gathered into its own typed array, which is then swapped and scaled as a whole.
 *
 * @packageDocumentation
 */
import type { PixelArray } from "../image/image.js";
import { FitsError } from "../errors.js";
import { allocateRaw, bytesPerPixel, type Bitpix } from "./bitpix.js";
import { swapInPlace } from "./byte-order.js";
import { readFully, type ByteSource } from "./byte-source.js";
import type { ColumnLayout, HduLayout } from "./hdu-layout.js";
import { gatherColumn } from "./row-bytes.js";
import { applyConversion, planConversion } from "./scaling.js";
import { NUMERIC_CODES } from "./tform.js";

/** A table column's values: typed arrays for numbers, `string[]` for A, `boolean[]` for L. */
export type TableColumn = PixelArray | string[] | boolean[];

/** A table read into columns. */
export interface TableData {
  nrows: number;
  /** Name → values; a column with repeat r holds `nrows * r` values, row after row. */
  columns: Record<string, TableColumn>;
  /** Name → TUNITn, for the columns that have one. */
  units: Record<string, string>;
  /** Name → values per row (the r of `rT`; 1 for scalars and for strings, which are one value per row). */
  repeats: Record<string, number>;
  /**
   * Name → TNULLn for integer columns read as integers: those stored values mean "undefined".
   * (Scaled columns become floats with NaN instead and are not listed.)
   */
  nulls: Record<string, number | bigint>;
}

/** Bytes of rows read per chunk. */
const CHUNK_BYTES = 4 << 20;

/** What a column is gathered into while the rows stream past. */
interface Target {
  column: ColumnLayout;
  bytes: Uint8Array;
  raw?: PixelArray;
  bitpix?: Bitpix;
}

/**
 * Reads every column of a binary table (types L, B, I, J, K, A, E, D with any repeat), applying
 * TSCALn/TZEROn (unsigned conventions become Uint16/Uint32/BigUint64/Int8 arrays, other scalings
 * floats with TNULLn → NaN).
 *
 * @throws FitsError for an HDU that is not a binary table, or a column type not supported yet
 *   (X, C, M, P, Q)
 */
export async function readBinTableData(source: ByteSource, layout: HduLayout): Promise<TableData> {
  const table = layout.table;
  if (layout.kind !== "bintable" || !table) {
    throw new FitsError(`HDU ${layout.index} is a ${layout.kind}, not a binary table; readTable cannot read it yet`, layout.index);
  }
  const { nrows, rowBytes } = table;
  const targets = table.columns.map((column) => allocateTarget(column, nrows, layout));
  if (nrows > 0 && rowBytes > 0) {
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
    const scratch = new Uint8Array(Math.min(rowsPerChunk, nrows) * rowBytes);
    for (let first = 0; first < nrows; first += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, nrows - first);
      const chunk = scratch.subarray(0, rows * rowBytes);
      await readFully(source, layout.dataOffset + first * rowBytes, chunk, layout.index);
      for (const t of targets) gatherColumn(chunk, rowBytes, t.column.offset, t.column.tform.width, rows, t.bytes, first * t.column.tform.width);
    }
  }
  const result: TableData = { nrows, columns: {}, units: {}, repeats: {}, nulls: {} };
  for (const t of targets) {
    const { name, tform, unit, scaling } = t.column;
    result.repeats[name] = tform.code === "A" ? 1 : tform.repeat;
    if (unit !== undefined) result.units[name] = unit;
    if (tform.code === "A") result.columns[name] = decodeStrings(t.bytes, tform.width, nrows);
    else if (tform.code === "L") result.columns[name] = Array.from(t.bytes, (b) => b === 0x54);
    else {
      const bitpix = t.bitpix!;
      swapInPlace(t.bytes, bytesPerPixel(bitpix));
      const plan = planConversion(bitpix, scaling);
      result.columns[name] = applyConversion(t.raw!, bitpix, plan);
      if (bitpix > 0 && plan.kind !== "linear" && scaling.blank !== undefined) result.nulls[name] = scaling.blank;
    }
  }
  return result;
}

function allocateTarget(column: ColumnLayout, nrows: number, layout: HduLayout): Target {
  const { code, repeat, width } = column.tform;
  const bitpix = NUMERIC_CODES[code];
  if (bitpix !== undefined) {
    const raw = allocateRaw(bitpix, nrows * repeat);
    return { column, raw, bitpix, bytes: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) };
  }
  if (code === "A" || code === "L") return { column, bytes: new Uint8Array(nrows * width) };
  throw new FitsError(`column ${column.name} has TFORM${column.number} type ${code}, which readTable does not support yet`, layout.index, layout.headerOffset);
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

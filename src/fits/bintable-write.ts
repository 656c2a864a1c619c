/**
 * Writing a binary table from columns: the columns are checked and described first (so a bad
 * input fails before any byte is written), then rows are assembled chunk by chunk in a scratch
 * buffer: each column's chunk is copied, sign-flipped and swapped as a block, then spread into
 * the rows.
 *
 * @packageDocumentation
 */
import type { PixelArray } from "../image/image.js";
import { FitsError } from "../errors.js";
import { bytesPerPixel, storageTypeOf, type Bitpix } from "./bitpix.js";
import { flipSignBits, swapInPlace } from "./byte-order.js";
import type { TableColumn } from "./bintable-read.js";
import type { BinTableHduInput } from "./hdu-input.js";
import type { ByteSink } from "./image-io.js";
import { scatterColumn } from "./row-bytes.js";
import type { TformCode } from "./tform.js";
import { packBits } from "./bits.js";
import { planVarColumn, writeHeap, type VarPlan } from "./vla-write.js";
import type { VarColumn } from "./vla-read.js";

/** How one column will be written. */
export interface ColumnPlan {
  name: string;
  values: TableColumn;
  code: TformCode;
  repeat: number;
  /** Bytes per row. */
  width: number;
  /** Byte offset in the row. */
  offset: number;
  /** TZEROn of an offset convention (unsigned, Int8). */
  zero?: number | bigint;
  unit?: string;
  null?: number | bigint;
  bitpix?: Bitpix;
  /** TDIMn, FITS order. */
  tdim?: number[];
  /** For P/Q columns: the heap layout. */
  heap?: VarPlan;
  /** The TFORMn text. */
  tform: string;
}

/** How a table will be written. */
export interface TablePlan {
  nrows: number;
  rowBytes: number;
  columns: ColumnPlan[];
  /** Bytes of heap after the rows (PCOUNT). */
  heapSize: number;
}

const CODE_OF_BITPIX: Record<Bitpix, TformCode> = { 8: "B", 16: "I", 32: "J", 64: "K", [-32]: "E", [-64]: "D" };

/**
 * Checks the columns and lays out the rows.
 * @throws FitsError when columns disagree on the row count, a repeat is not a non-negative
 *   integer dividing the column length, a plain array mixes types, or a string is not ASCII
 */
export function planTable(input: BinTableHduInput, hdu: number): TablePlan {
  const columns: ColumnPlan[] = [];
  let nrows: number | undefined;
  let offset = 0;
  const bits = new Set(input.bits ?? []);
  const complex = new Set(input.complex ?? []);
  const planVar = (name: string, values: VarColumn): VarPlan => planVarColumn(values, (why) => new FitsError(`variable-length column ${JSON.stringify(name)}: ${why}`, hdu));
  const entries: Array<[string, TableColumn | undefined, VarPlan | undefined]> = Object.entries(input.columns).map(([n, v]) =>
    isPerRow(v) ? [n, undefined, planVar(n, v)] : [n, v as TableColumn, undefined],
  );
  for (const [name, values] of Object.entries(input.arrays ?? {})) entries.push([name, undefined, planVar(name, values)]);
  for (const [name, values, heap] of entries) {
    const fail = (why: string): FitsError => new FitsError(`table column ${JSON.stringify(name)}: ${why}`, hdu);
    let plan: ColumnPlan;
    let rows: number | undefined;
    if (heap) {
      plan = { name, values: [], code: "P", repeat: 1, width: 8, offset, heap, tform: "" };
      if (heap.zero !== undefined) plan.zero = heap.zero;
      rows = heap.counts.length;
    } else if (Array.isArray(values)) {
      const strings = values.every((v) => typeof v === "string");
      const booleans = !strings && values.every((v) => typeof v === "boolean");
      if (strings) {
        let width = 1;
        for (const s of values as string[]) {
          if (!/^[\x20-\x7e]*$/.test(s)) throw fail(`string ${JSON.stringify(s)} is not printable ASCII`);
          width = Math.max(width, s.length);
        }
        plan = { name, values, code: "A", repeat: width, width, offset, tform: "" };
        rows = values.length;
      } else if (booleans) {
        const repeat = repeatOf(input, name, fail);
        const code = bits.has(name) ? "X" : "L";
        plan = { name, values, code, repeat, width: code === "X" ? Math.ceil(repeat / 8) : repeat, offset, tform: "" };
        rows = rowsOf(values.length, repeat, fail);
      } else {
        throw fail("a plain array must hold only strings or only booleans");
      }
    } else if (ArrayBuffer.isView(values)) {
      const { bitpix, zero } = storageTypeOf(values);
      const repeat = repeatOf(input, name, fail);
      if (complex.has(name)) {
        if (bitpix !== -32 && bitpix !== -64) throw fail("complex values must be a Float32Array (C) or Float64Array (M)");
        plan = { name, values, code: bitpix === -32 ? "C" : "M", repeat, width: repeat * 2 * bytesPerPixel(bitpix), offset, bitpix, tform: "" };
        rows = rowsOf(values.length / 2, repeat, fail);
      } else {
        plan = { name, values, code: CODE_OF_BITPIX[bitpix], repeat, width: repeat * bytesPerPixel(bitpix), offset, bitpix, tform: "" };
        if (zero !== undefined) plan.zero = zero;
        rows = rowsOf(values.length, repeat, fail);
      }
    } else {
      throw fail("values must be a typed array, string[] or boolean[]");
    }
    plan.tform = `${plan.repeat}${plan.code}`;
    const unit = input.units?.[name];
    if (unit !== undefined) plan.unit = unit;
    const nul = input.nulls?.[name];
    if (nul !== undefined) plan.null = nul;
    const dims = input.dims?.[name];
    if (dims !== undefined) {
      const product = dims.reduce((p, d) => p * d, 1);
      if (!dims.every((d) => Number.isSafeInteger(d) && d >= 1) || (!heap && product !== plan.repeat)) {
        throw fail(`dims [${dims.join(", ")}] do not hold the ${plan.repeat} values of a row`);
      }
      plan.tdim = [...dims].reverse();
    }
    if (rows !== undefined) {
      if (nrows !== undefined && rows !== nrows) throw fail(`has ${rows} rows but an earlier column has ${nrows}`);
      nrows = rows;
    }
    columns.push(plan);
    offset += plan.width;
  }
  // Heap offsets: arrays one after another, in column order then row order.
  let heapSize = 0;
  for (const c of columns) {
    if (!c.heap) continue;
    c.heap.sizes.forEach((size, r) => {
      c.heap!.offsets[r] = heapSize;
      heapSize += size;
    });
  }
  const wide = heapSize > 0x7fffffff;
  for (const c of columns) {
    if (!c.heap) continue;
    const max = c.heap.counts.reduce((m, n) => Math.max(m, n), 0);
    if (wide) {
      offset += 8;
      c.code = "Q";
      c.width = 16;
    }
    c.tform = `1${c.code}${c.heap.arrayCode}(${max})`;
  }
  if (wide) columns.reduce((at, c) => ((c.offset = at), at + c.width), 0);
  return { nrows: nrows ?? 0, rowBytes: offset, columns, heapSize };
}

function repeatOf(input: BinTableHduInput, name: string, fail: (why: string) => FitsError): number {
  const repeat = input.repeats?.[name] ?? 1;
  if (!Number.isSafeInteger(repeat) || repeat < 0) throw fail(`repeat ${repeat} is not a non-negative integer`);
  return repeat;
}

/** Rows implied by a column; undefined for a zero-repeat column (it says nothing about rows). */
function rowsOf(length: number, repeat: number, fail: (why: string) => FitsError): number | undefined {
  if (repeat === 0) {
    if (length !== 0) throw fail("repeat 0 needs an empty column");
    return undefined;
  }
  if (length % repeat !== 0) throw fail(`${length} values are not a whole number of rows of ${repeat}`);
  return length / repeat;
}

const BYTE_T = 0x54;
const BYTE_F = 0x46;
const BLANK = 0x20;

/**
 * Writes the rows of a planned table through `scratch` (rows in the first half, a column staging
 * area in the second); rows wider than that get their own buffers. Padding is the caller's job.
 */
export async function writeTableData(sink: ByteSink, plan: TablePlan, scratch: Uint8Array): Promise<void> {
  const { nrows, rowBytes } = plan;
  if (nrows === 0 || rowBytes === 0) return;
  const half = Math.floor(scratch.length / 16) * 8;
  const rowsPerChunk = Math.max(1, Math.floor(half / rowBytes));
  const rowBuffer = rowsPerChunk * rowBytes <= half ? scratch.subarray(0, half) : new Uint8Array(rowBytes);
  const staging = rowsPerChunk * rowBytes <= half ? scratch.subarray(half, 2 * half) : new Uint8Array(rowBytes);
  for (let first = 0; first < nrows; first += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, nrows - first);
    const chunk = rowBuffer.subarray(0, rows * rowBytes);
    for (const column of plan.columns) fillColumn(chunk, rowBytes, column, first, rows, staging);
    await sink.write(chunk);
  }
  if (plan.heapSize > 0) await writeHeap(sink, plan.columns.flatMap((c) => (c.heap ? [c.heap] : [])), scratch);
}

function fillColumn(chunk: Uint8Array, rowBytes: number, column: ColumnPlan, first: number, rows: number, staging: Uint8Array): void {
  const { values, width, offset, repeat } = column;
  if (width === 0) return;
  if (column.code === "A") {
    const strings = values as string[];
    for (let r = 0; r < rows; r++) {
      const s = strings[first + r]!;
      const base = r * rowBytes + offset;
      for (let k = 0; k < width; k++) chunk[base + k] = k < s.length ? s.charCodeAt(k) : BLANK;
    }
  } else if (column.code === "X") {
    const flags = values as boolean[];
    for (let r = 0; r < rows; r++) packBits(flags, (first + r) * repeat, repeat, chunk, r * rowBytes + offset);
  } else if (column.heap) {
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let r = 0; r < rows; r++) {
      const at = r * rowBytes + offset;
      const count = column.heap.counts[first + r]!;
      const where = column.heap.offsets[first + r]!;
      if (column.code === "Q") {
        view.setBigInt64(at, BigInt(count));
        view.setBigInt64(at + 8, BigInt(where));
      } else {
        view.setInt32(at, count);
        view.setInt32(at + 4, where);
      }
    }
  } else if (column.code === "L") {
    const flags = values as boolean[];
    for (let r = 0; r < rows; r++) {
      const base = r * rowBytes + offset;
      for (let k = 0; k < repeat; k++) chunk[base + k] = flags[(first + r) * repeat + k] ? BYTE_T : BYTE_F;
    }
  } else {
    const typed = values as PixelArray;
    const size = bytesPerPixel(column.bitpix!);
    // Complex columns are float pairs: the same swap as their parts.
    const bytes = new Uint8Array(typed.buffer, typed.byteOffset + first * width, rows * width);
    const stage = staging.subarray(0, rows * width);
    stage.set(bytes);
    if (column.zero !== undefined) flipSignBits(stage, size);
    swapInPlace(stage, size);
    scatterColumn(stage, chunk, rowBytes, offset, width, rows);
  }
}

/** One array per row (a variable-length column), rather than the values of a fixed-width one. */
function isPerRow(values: TableColumn | VarColumn): values is VarColumn {
  return Array.isArray(values) && values.length > 0 && values.every((v) => ArrayBuffer.isView(v) || Array.isArray(v));
}

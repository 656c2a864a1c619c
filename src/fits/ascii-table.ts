/**
 * ASCII tables (XTENSION = 'TABLE', FITS 4.0 §7.2): columns of Fortran-formatted text at fixed
 * positions, formats Aw, Iw, Fw.d, Ew.d and Dw.d, with TNULLn strings and TSCALn/TZEROn.
 *
 * @packageDocumentation
 */
import { FitsError } from "../errors.js";
import { readFully, type ByteSource } from "./byte-source.js";
import type { OnesComplementSum } from "./checksum.js";
import type { HeaderChecks } from "./header-checks.js";
import type { TableData } from "./bintable-read.js";
import type { HduLayout } from "./hdu-layout.js";

/** One ASCII-table column. */
export interface AsciiColumn {
  name: string;
  /** 0-based byte offset in the row (TBCOLn - 1). */
  start: number;
  width: number;
  code: "A" | "I" | "F" | "E" | "D";
  /** The d of Fw.d: digits after an implied decimal point. */
  decimals: number;
  format: string;
  unit?: string;
  scale: number;
  zero: number;
  /** TNULLn: the field text that means "undefined". */
  null?: string;
}

/** An ASCII table's geometry. */
export interface AsciiTableLayout {
  rowBytes: number;
  nrows: number;
  columns: AsciiColumn[];
}

const FORMAT = /^\s*([AIFED])(\d+)(?:\.(\d+))?\s*$/;

/**
 * Reads the column descriptions of an ASCII table.
 * @throws FitsError for a BITPIX other than 8, a bad TFORMn, or a field outside the row
 */
export function describeAsciiTable(checks: HeaderChecks, bitpix: number, axes: number[]): AsciiTableLayout {
  if (bitpix !== 8 || axes.length !== 2) throw checks.error("an ASCII table needs BITPIX = 8 and NAXIS = 2", "BITPIX");
  const [rowBytes, nrows] = axes as [number, number];
  const tfields = checks.integer("TFIELDS", { min: 0, max: 999 });
  const columns: AsciiColumn[] = [];
  const names = new Set<string>();
  for (let n = 1; n <= tfields; n++) {
    const format = checks.string(`TFORM${n}`) ?? "";
    const m = FORMAT.exec(format.toUpperCase());
    if (!m) throw checks.error(`TFORM${n} = ${JSON.stringify(format)} is not an ASCII-table format (Aw, Iw, Fw.d, Ew.d, Dw.d)`, `TFORM${n}`);
    const start = checks.integer(`TBCOL${n}`, { min: 1, max: Math.max(1, rowBytes) }) - 1;
    const width = Number(m[2]);
    if (start + width > rowBytes) throw checks.error(`column ${n} (TBCOL${n} = ${start + 1}, width ${width}) runs past the ${rowBytes}-byte row`, `TBCOL${n}`);
    let name = checks.string(`TTYPE${n}`)?.trim() || `col${n}`;
    if (names.has(name)) name = `${name}_${n}`;
    names.add(name);
    const column: AsciiColumn = {
      name,
      start,
      width,
      code: m[1] as AsciiColumn["code"],
      decimals: m[3] === undefined ? 0 : Number(m[3]),
      format: format.trim(),
      scale: Number(checks.number(`TSCAL${n}`, 1)),
      zero: Number(checks.number(`TZERO${n}`, 0)),
    };
    const unit = checks.string(`TUNIT${n}`);
    if (unit !== undefined) column.unit = unit;
    const nul = checks.value(`TNULL${n}`);
    if (nul !== undefined && nul !== null) column.null = String(nul).trim();
    columns.push(column);
  }
  return { rowBytes, nrows, columns };
}

const CHUNK_BYTES = 4 << 20;

/**
 * Reads an ASCII table: A → `string[]` (trailing blanks dropped); I → Int32Array (up to 9 digits)
 * or BigInt64Array, or Float64Array when TNULLn or TSCALn/TZEROn is set (undefined → NaN);
 * F, E, D → Float64Array (undefined → NaN). A blank numeric field is 0, as CFITSIO reads it.
 * @throws FitsError for a field that is not a number, at its byte offset
 */
export async function readAsciiTable(source: ByteSource, layout: HduLayout, sum?: OnesComplementSum): Promise<TableData> {
  const table = layout.ascii!;
  const { nrows, rowBytes } = table;
  const result: TableData = { nrows, columns: {}, units: {}, repeats: {}, nulls: {}, variable: [], dims: {}, tforms: {} };
  const sinks = table.columns.map((c) => {
    const floats = c.code !== "A" && c.code !== "I" ? true : c.code === "I" && (c.null !== undefined || c.scale !== 1 || c.zero !== 0);
    const values = c.code === "A" ? new Array<string>(nrows) : floats ? new Float64Array(nrows) : c.width <= 9 ? new Int32Array(nrows) : new BigInt64Array(nrows);
    result.columns[c.name] = values;
    result.repeats[c.name] = 1;
    result.tforms[c.name] = c.format;
    if (c.unit !== undefined) result.units[c.name] = c.unit;
    return { c, values };
  });
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / Math.max(1, rowBytes)));
  for (let first = 0; first < nrows && rowBytes > 0; first += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, nrows - first);
    const chunk = Buffer.alloc(rows * rowBytes);
    await readFully(source, layout.dataOffset + first * rowBytes, chunk, layout.index);
    sum?.update(chunk);
    for (let r = 0; r < rows; r++) {
      for (const { c, values } of sinks) {
        const at = r * rowBytes + c.start;
        const text = chunk.toString("latin1", at, at + c.width);
        const row = first + r;
        if (c.code === "A") {
          (values as string[])[row] = text.replace(/ +$/, "");
          continue;
        }
        const isNull = c.null !== undefined && text.trim() === c.null;
        const where = layout.dataOffset + row * rowBytes + c.start;
        if (values instanceof BigInt64Array) values[row] = isNull ? 0n : parseInteger(text, layout.index, where);
        else if (values instanceof Int32Array) values[row] = isNull ? 0 : Number(parseInteger(text, layout.index, where));
        else (values as Float64Array)[row] = isNull ? NaN : parseReal(text, c, layout.index, where) * c.scale + c.zero;
      }
    }
  }
  return result;
}

function parseInteger(text: string, hdu: number, offset: number): bigint {
  const digits = text.replace(/ /g, "");
  if (digits === "") return 0n;
  if (!/^[+-]?\d+$/.test(digits)) throw new FitsError(`ASCII-table field ${JSON.stringify(text)} is not an integer`, hdu, offset);
  return BigInt(digits);
}

/**
 * A Fortran real: blanks ignored, `E` or `D` exponents, and an implied decimal point (the d of
 * Fw.d) when none is written. Fortran's bare signed exponent (`1.5+3`) is refused, as CFITSIO
 * and FITS 4.0 Table 16 (exponents start with E or D) do. The arithmetic is CFITSIO's (`fffstrr8`):
 * digits accumulated in a double, divided by the power of ten, times 10^exponent.
 */
function parseReal(text: string, c: AsciiColumn, hdu: number, offset: number): number {
  const s = text.replace(/ /g, "").toUpperCase();
  if (s === "") return 0;
  const fail = (): FitsError => new FitsError(`ASCII-table field ${JSON.stringify(text)} is not a number`, hdu, offset);
  const digit = (k: number): number => {
    const code = s.charCodeAt(k) - 48;
    return code >= 0 && code <= 9 ? code : -1;
  };
  let i = 0;
  let sign = 1;
  if (s[i] === "+" || s[i] === "-") sign = s[i++] === "-" ? -1 : 1;
  let value = 0;
  let power = 1;
  let digits = 0;
  for (; digit(i) >= 0; i++, digits++) value = value * 10 + digit(i);
  const point = s[i] === ".";
  if (point) for (i++; digit(i) >= 0; i++, digits++) {
    value = value * 10 + digit(i);
    power *= 10;
  }
  let exponent = 0;
  if (i < s.length) {
    if (s[i] === "E" || s[i] === "D") i++;
    else throw fail();
    let esign = 1;
    if (s[i] === "+" || s[i] === "-") esign = s[i++] === "-" ? -1 : 1;
    if (digit(i) < 0) throw fail();
    for (; digit(i) >= 0; i++) exponent = exponent * 10 + digit(i);
    exponent *= esign;
  }
  if (i !== s.length || digits === 0) throw fail();
  if (!point) power = 10 ** c.decimals;
  return ((sign * value) / power) * Math.pow(10, exponent);
}

/**
 * What an HDU's header says about its data — kind, pixel type, axes, byte size, table columns —
 * validated once when the file is opened, so every later read can trust it.
 *
 * @packageDocumentation
 */
import type { Header } from "../image/header.js";
import { FitsError } from "../errors.js";
import { isBitpix, type Bitpix } from "./bitpix.js";
import { describeAsciiTable, type AsciiTableLayout } from "./ascii-table.js";
import { describeCompressed, type CompressedLayout } from "./compressed-layout.js";
import { HeaderChecks } from "./header-checks.js";
import type { ParsedHeader } from "./header-io.js";
import type { Scaling } from "./scaling.js";
import { parseTform, type Tform } from "./tform.js";

/** The HDU kinds skybutler distinguishes. */
export type HduKind = "image" | "bintable" | "table" | "compressed-image";

/** One binary-table column as the header describes it. */
export interface ColumnLayout {
  /** TTYPEn (or `col<n>`; a repeated name gets `_<n>` appended). */
  name: string;
  /** 1-based column number n. */
  number: number;
  tform: Tform;
  /** Byte offset of the column within a row. */
  offset: number;
  unit?: string;
  scaling: Scaling;
  /** TDIMn as a row-major per-row shape, when present. */
  dims?: number[];
  /** The TFORMn text as written. */
  text: string;
}

/** A binary table's geometry. */
export interface TableLayout {
  rowBytes: number;
  nrows: number;
  /** PCOUNT: bytes after the rows (any gap, then the heap). */
  heapSize: number;
  /** THEAP: where the heap starts, in bytes from the start of the data. */
  heapOffset: number;
  columns: ColumnLayout[];
}

/** The validated layout of one HDU. */
export interface HduLayout {
  index: number;
  kind: HduKind;
  header: Header;
  headerOffset: number;
  dataOffset: number;
  /** Bytes of data, without the padding to a whole block. */
  dataSize: number;
  bitpix: Bitpix;
  /** NAXIS1 … NAXISn, in FITS order (fastest first). */
  axes: number[];
  /** The axes reversed: row-major shape. */
  shape: number[];
  /** BSCALE/BZERO/BLANK of an image. */
  scaling: Scaling;
  /** A primary HDU in the (deprecated) random-groups format. */
  randomGroups: boolean;
  table?: TableLayout;
  extname?: string;
  extver: number;
  /** The ones' complement sum of the header blocks, for CHECKSUM. */
  headerSum?: number;
  /** For a compressed image: its Z keywords. */
  compressed?: CompressedLayout;
  /** For an ASCII table: its columns. */
  ascii?: AsciiTableLayout;
}

const EXTENSION_KINDS: Record<string, HduKind> = {
  IMAGE: "image",
  IUEIMAGE: "image",
  BINTABLE: "bintable",
  A3DTABLE: "bintable",
  TABLE: "table",
};

/**
 * Validates a parsed header and computes where its data lies.
 *
 * @param fileSize - the size of the file: data that would extend past it is reported here, before
 *   anything is allocated for it
 * @throws FitsError (with `hdu` and the offending card's `offset`) for a bad SIMPLE/XTENSION,
 *   BITPIX, NAXIS/NAXISn (negative, non-integer, product overflowing), PCOUNT/GCOUNT, scaling
 *   keywords, table TFORMs or row width, and for data extending past the end of the file
 */
export function describeHdu(parsed: ParsedHeader, index: number, fileSize: number): HduLayout {
  const checks = new HeaderChecks(parsed, index);
  const kind = hduKind(checks, index);
  const bitpixValue = checks.integer("BITPIX");
  if (!isBitpix(bitpixValue)) throw checks.error(`BITPIX = ${bitpixValue} is not one of 8, 16, 32, 64, -32, -64`, "BITPIX");
  const bitpix: Bitpix = bitpixValue;
  const naxis = checks.integer("NAXIS", { min: 0, max: 999 });
  const axes: number[] = [];
  for (let n = 1; n <= naxis; n++) axes.push(checks.integer(`NAXIS${n}`, { min: 0, max: Number.MAX_SAFE_INTEGER }));

  const isPrimary = index === 0;
  const randomGroups = isPrimary && naxis > 0 && axes[0] === 0 && checks.value("GROUPS") === true;
  const pcount = isPrimary && !randomGroups ? 0 : checks.integer("PCOUNT", { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: isPrimary ? 0 : undefined });
  const gcount = isPrimary && !randomGroups ? 1 : checks.integer("GCOUNT", { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: isPrimary ? 1 : undefined });

  // Exact arithmetic: CFITSIO lets this product wrap to 0 and then misreads the file (notes/fits.md).
  const counted = randomGroups ? axes.slice(1) : axes;
  let elements = naxis === 0 ? 0n : 1n;
  for (const axis of counted) elements *= BigInt(axis);
  const bits = BigInt(Math.abs(bitpix)) * BigInt(gcount) * (BigInt(pcount) + elements);
  const bytes = bits / 8n;
  const dataOffset = parsed.dataOffset;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER) || BigInt(dataOffset) + bytes > BigInt(fileSize)) {
    const available = Math.max(0, fileSize - dataOffset);
    if (bytes > BigInt(fileSize)) {
      throw checks.error(`the header claims ${bytes} bytes of data, more than the whole file (${fileSize} bytes)`, naxis > 0 ? `NAXIS${naxis}` : "NAXIS");
    }
    throw new FitsError(`truncated data: ${bytes} bytes expected from byte ${dataOffset}, only ${available} present`, index, fileSize);
  }

  const layout: HduLayout = {
    index,
    kind,
    header: parsed.header,
    headerOffset: parsed.headerOffset,
    dataOffset,
    dataSize: Number(bytes),
    bitpix,
    axes,
    shape: [...axes].reverse(),
    scaling: imageScaling(checks, bitpix),
    randomGroups,
    extver: checks.integer("EXTVER", { fallback: 1 }),
  };
  if (parsed.headerSum !== undefined) layout.headerSum = parsed.headerSum;
  const extname = checks.string("EXTNAME");
  if (extname !== undefined) layout.extname = extname;
  if (kind === "bintable" || kind === "compressed-image") {
    layout.table = describeBinTable(checks, bitpix, axes, pcount, gcount);
  }
  if (kind === "table") layout.ascii = describeAsciiTable(checks, bitpix, axes);
  if (kind === "compressed-image") {
    layout.compressed = describeCompressed(checks, layout.table!, layout.dataSize);
    layout.shape = [...layout.compressed.axes].reverse();
  }
  return layout;
}

function hduKind(checks: HeaderChecks, index: number): HduKind {
  if (index === 0) {
    if (checks.value("SIMPLE") !== true) throw checks.error("SIMPLE must be T in the primary header", "SIMPLE");
    return "image";
  }
  const xtension = checks.value("XTENSION");
  const kind = typeof xtension === "string" ? EXTENSION_KINDS[xtension.trim().toUpperCase()] : undefined;
  if (kind === undefined) throw checks.error(`unsupported extension type XTENSION = ${JSON.stringify(xtension)}`, "XTENSION");
  if (kind === "bintable" && checks.value("ZIMAGE") === true) return "compressed-image";
  return kind;
}

function imageScaling(checks: HeaderChecks, bitpix: Bitpix): Scaling {
  const scale = Number(checks.number("BSCALE", 1));
  const scaling: Scaling = { scale, zero: checks.number("BZERO", 0) };
  if (bitpix > 0) {
    const blank = checks.integerOrBig("BLANK");
    if (blank !== undefined) scaling.blank = blank;
  }
  return scaling;
}

/** TDIMn = '(a,b,c)' (FITS order) → [c, b, a], checked against the repeat count. */
function parseTdim(checks: HeaderChecks, n: number, text: string, tform: Tform): number[] {
  const m = /^\s*\(\s*(\d+(?:\s*,\s*\d+)*)\s*\)\s*$/.exec(text);
  if (!m) throw checks.error(`TDIM${n} = ${JSON.stringify(text)} is not of the form '(a,b,…)'`, `TDIM${n}`);
  const dims = m[1]!.split(",").map((d) => Number(d.trim()));
  const product = dims.reduce((p, d) => p * d, 1);
  // Variable-length columns give the shape of each row's array, whose length the heap decides.
  if (tform.code !== "P" && tform.code !== "Q" && product > tform.repeat) {
    throw checks.error(`TDIM${n} = ${text} holds ${product} elements, more than the ${tform.repeat} of TFORM${n}`, `TDIM${n}`);
  }
  return dims.reverse();
}

function describeBinTable(checks: HeaderChecks, bitpix: Bitpix, axes: number[], pcount: number, gcount: number): TableLayout {
  if (bitpix !== 8) throw checks.error(`a binary table needs BITPIX = 8, found ${bitpix}`, "BITPIX");
  if (axes.length !== 2) throw checks.error(`a binary table needs NAXIS = 2, found ${axes.length}`, "NAXIS");
  if (gcount !== 1) throw checks.error(`a binary table needs GCOUNT = 1, found ${gcount}`, "GCOUNT");
  const [rowBytes, nrows] = axes as [number, number];
  const tfields = checks.integer("TFIELDS", { min: 0, max: 999 });
  const columns: ColumnLayout[] = [];
  const names = new Set<string>();
  let offset = 0;
  for (let n = 1; n <= tfields; n++) {
    const text = checks.value(`TFORM${n}`);
    if (typeof text !== "string") throw checks.error(`missing or non-string TFORM${n}`, `TFORM${n}`);
    const tform = parseTform(text);
    if (!tform) throw checks.error(`unknown TFORM${n} = ${JSON.stringify(text)}`, `TFORM${n}`);
    let name = checks.string(`TTYPE${n}`)?.trim() || `col${n}`;
    if (names.has(name)) name = `${name}_${n}`;
    names.add(name);
    const scaling: Scaling = { scale: Number(checks.number(`TSCAL${n}`, 1)), zero: checks.number(`TZERO${n}`, 0) };
    const blank = checks.integerOrBig(`TNULL${n}`);
    if (blank !== undefined) scaling.blank = blank;
    const column: ColumnLayout = { name, number: n, tform, offset, scaling, text: text.trim() };
    const unit = checks.string(`TUNIT${n}`);
    if (unit !== undefined) column.unit = unit;
    const tdim = checks.string(`TDIM${n}`);
    if (tdim !== undefined) column.dims = parseTdim(checks, n, tdim, tform);
    columns.push(column);
    offset += tform.width;
  }
  if (offset !== rowBytes) {
    throw checks.error(`NAXIS1 = ${rowBytes} disagrees with the TFORMs, whose widths add up to ${offset} bytes per row`, "NAXIS1");
  }
  const rows = rowBytes * nrows;
  const heapOffset = checks.integer("THEAP", { min: rows, max: rows + pcount, fallback: rows });
  return { rowBytes, nrows, heapSize: pcount, heapOffset, columns };
}

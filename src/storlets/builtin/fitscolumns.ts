/**
 * `fitscolumns` (Main `fitscolumns.FitsColumnsStorlet`): columns and rows of a FITS binary table,
 * chosen where the data is. Parameters: `hdu` (default the first binary table), `columns`
 * (comma-separated names; default all), `where` (conditions joined by `;`, all of which a row
 * must meet: `name OP value` with OP one of `=`, `!=`, `<`, `<=`, `>`, `>=`; numbers compare as
 * numbers, anything else as trimmed text), `format` (`csv`, the default, or `fits`).
 *
 * The table is read in chunks of rows (a virtual FITS file of those rows, decoded by the codec), so
 * memory holds one chunk and the rows that passed; CSV goes out chunk by chunk. A table with
 * variable-length columns is read whole.
 *
 * @packageDocumentation
 */
import { formatHeader, padToBlock } from "../../fits/header-io.js";
import { tableHeader } from "../../fits/hdu-header.js";
import { openFits, type ByteSource, type FitsHdu, type TableColumn, type TableData } from "../../fits/index.js";
import { planTable, writeTableData } from "../../fits/bintable-write.js";
import type { HeaderCard } from "../../image/header.js";
import { Header } from "../../image/header.js";
import type { Storlet, StorletInputFile, StorletLogger, StorletOutputFile, StorletParams } from "../contract.js";
import { chooseHdu } from "./hdu-choice.js";
import { InputByteSource } from "./input-byte-source.js";

/** Bytes of rows decoded at a time. */
const CHUNK_BYTES = 4 << 20;

type Op = "=" | "!=" | "<" | "<=" | ">" | ">=";
interface Condition {
  column: string;
  op: Op;
  value: string;
}

/** Parses `where`. @throws Error for a condition that is not `name OP value` */
export function parseWhere(text: string | undefined): Condition[] {
  if (text === undefined || text.trim() === "") return [];
  return text.split(";").map((part) => {
    const match = /^\s*([A-Za-z_][\w-]*)\s*(!=|<=|>=|=|<|>)\s*(.*?)\s*$/.exec(part);
    if (match === null) throw new Error(`where: "${part}" is not "column OP value" (OP one of = != < <= > >=)`);
    return { column: match[1]!, op: match[2] as Op, value: match[3]! };
  });
}

function compare(a: unknown, op: Op, b: string): boolean {
  let cmp: number;
  const n = Number(b);
  if (typeof a === "number" && b !== "" && Number.isFinite(n)) cmp = a < n ? -1 : a > n ? 1 : a === n ? 0 : NaN;
  else if (typeof a === "bigint" && /^-?\d+$/.test(b)) cmp = a < BigInt(b) ? -1 : a > BigInt(b) ? 1 : 0;
  else {
    const s = typeof a === "boolean" ? (a ? "T" : "F") : String(a).trim();
    cmp = s < b ? -1 : s > b ? 1 : 0;
  }
  if (Number.isNaN(cmp)) return op === "!=";
  return op === "=" ? cmp === 0 : op === "!=" ? cmp !== 0 : op === "<" ? cmp < 0 : op === "<=" ? cmp <= 0 : op === ">" ? cmp > 0 : cmp >= 0;
}

/** Value of row `r` of a column (one value per row). */
function valueAt(column: TableColumn, r: number): unknown {
  return (column as ArrayLike<unknown>)[r];
}

/** The shortest decimal that reads back as the same float32 (as numpy prints a float32). */
function float32Text(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  for (let digits = 1; digits < 9; digits++) {
    const text = Number(value.toPrecision(digits));
    if (Math.fround(text) === value) return String(text);
  }
  return String(value);
}

function csvField(value: unknown, float32 = false): string {
  const text = typeof value === "boolean" ? (value ? "True" : "False") : typeof value === "string" ? value.trimEnd() : float32 && typeof value === "number" ? float32Text(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Projects and filters a catalog. */
export class FitsColumnsStorlet implements Storlet {
  readonly #logger: StorletLogger;

  /** @param logger - the storlet's log */
  constructor(logger: StorletLogger) {
    this.#logger = logger;
  }

  /** {@inheritDoc Storlet.invoke} */
  async invoke([input]: StorletInputFile[], [output]: StorletOutputFile[], params: StorletParams): Promise<void> {
    const format = params.format ?? "csv";
    if (format !== "csv" && format !== "fits") throw new Error(`parameter format must be csv or fits, got "${format}"`);
    const source = new InputByteSource(input!);
    const file = await openFits(source, { checksum: "ignore" });
    const hdu = chooseHdu(file, params.hdu, (h) => h.kind === "bintable", "a binary table");
    const where = parseWhere(params.where);
    const available = columnNames(hdu);
    const wanted = params.columns === undefined || params.columns === "" ? available : params.columns.split(",").map((c) => c.trim());
    for (const name of [...wanted, ...where.map((w) => w.column)]) {
      if (!available.includes(name)) throw new Error(`no column ${name} in HDU ${hdu.index} (it has ${available.join(", ")})`);
    }
    output!.setMetadata({ "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/fits" });
    if (format === "csv") await output!.write(`${wanted.map((n) => csvField(n)).join(",")}\n`);
    const kept: Record<string, unknown[]> = Object.fromEntries(wanted.map((n) => [n, []]));
    const types: Record<string, ArrayConstructorLike> = {};
    let units: Record<string, string> = {};
    let total = 0;
    let passed = 0;
    for await (const chunk of tableChunks(hdu, source)) {
      units = chunk.units ?? {};
      const nrows = rowsOf(chunk, wanted[0] ?? available[0]!);
      const columns: Record<string, TableColumn> = {};
      for (const name of [...wanted, ...where.map((w) => w.column)]) {
        if (chunk.variable.includes(name)) throw new Error(`column ${name} holds variable-length arrays; this storlet selects scalar columns only`);
        const column = chunk.columns[name] as TableColumn;
        columns[name] = column;
        if ((column as ArrayLike<unknown>).length !== nrows) throw new Error(`column ${name} holds several values per row; this storlet selects scalar columns only`);
        types[name] = column.constructor as unknown as ArrayConstructorLike;
      }
      total += nrows;
      const lines: string[] = [];
      for (let r = 0; r < nrows; r++) {
        if (!where.every((w) => compare(valueAt(columns[w.column]!, r), w.op, w.value))) continue;
        passed++;
        if (format === "csv") lines.push(wanted.map((n) => csvField(valueAt(columns[n]!, r), columns[n] instanceof Float32Array)).join(","));
        else {
          // trailing blanks mean nothing in a FITS string (and would widen the column)
          for (const n of wanted) {
            const value = valueAt(columns[n]!, r);
            kept[n]!.push(typeof value === "string" ? value.trimEnd() : value);
          }
        }
      }
      if (lines.length > 0) await output!.write(`${lines.join("\n")}\n`);
    }
    if (format === "fits") await writeTable(output!, hdu, wanted, kept, types, units);
    this.#logger.info(`${passed} of ${total} rows, ${wanted.length} columns; read ${source.bytesRead} of ${source.size} bytes`);
    await input!.close();
    await output!.close();
  }
}

function columnNames(hdu: FitsHdu): string[] {
  const n = Number(hdu.header.get("TFIELDS") ?? 0);
  return Array.from({ length: n }, (_, i) => String(hdu.header.get(`TTYPE${i + 1}`) ?? `col${i + 1}`).trim());
}

/** A typed-array class, or Array. */
type ArrayConstructorLike = { from(values: ArrayLike<unknown>): unknown };

/** Rows of a chunk: the length of its first column (every selected column is checked to match). */
function rowsOf(table: TableData, name: string): number {
  const column = table.columns[name];
  return column === undefined ? 0 : (column as ArrayLike<unknown>).length;
}

/**
 * The table in chunks of rows: each chunk a virtual FITS file (a primary header, the table's header
 * with NAXIS2 = the chunk's rows, and those rows read from the input) decoded by the codec.
 */
async function* tableChunks(hdu: FitsHdu, source: InputByteSource): AsyncGenerator<TableData> {
  const rowBytes = Number(hdu.header.get("NAXIS1"));
  const nrows = Number(hdu.header.get("NAXIS2"));
  if (Number(hdu.header.get("PCOUNT") ?? 0) > 0) {
    yield await hdu.readTable();
    return;
  }
  const per = Math.max(1, Math.floor(CHUNK_BYTES / Math.max(1, rowBytes)));
  const primary = formatHeader([
    { keyword: "SIMPLE", value: true },
    { keyword: "BITPIX", value: 8 },
    { keyword: "NAXIS", value: 0 },
    { keyword: "EXTEND", value: true },
  ]);
  for (let start = 0; start < nrows; start += per) {
    const rows = Math.min(per, nrows - start);
    const cards: HeaderCard[] = hdu.header.cards
      .filter((c) => c.keyword !== "CHECKSUM" && c.keyword !== "DATASUM")
      .map((c) => (c.keyword === "NAXIS2" ? { keyword: "NAXIS2", value: rows } : c));
    const header = formatHeader(cards);
    const dataAt = hdu.dataOffset + start * rowBytes;
    const virtual: ByteSource = {
      size: primary.length + header.length + padToBlock(rows * rowBytes),
      read: async (offset, length) => {
        const out = new Uint8Array(length);
        const headEnd = primary.length + header.length;
        for (let i = 0; i < length; ) {
          const at = offset + i;
          if (at < primary.length) {
            const n = Math.min(length - i, primary.length - at);
            out.set(primary.subarray(at, at + n), i);
            i += n;
          } else if (at < headEnd) {
            const n = Math.min(length - i, headEnd - at);
            out.set(header.subarray(at - primary.length, at - primary.length + n), i);
            i += n;
          } else {
            const rel = at - headEnd;
            const n = Math.min(length - i, Math.max(0, rows * rowBytes - rel));
            if (n === 0) break; // padding: zeros
            out.set(await source.read(dataAt + rel, n), i);
            i += n;
          }
        }
        return out;
      },
    };
    const chunk = await openFits(virtual, { checksum: "ignore" });
    yield await chunk.hdus[1]!.readTable();
  }
}

/** The kept rows as a FITS file: an empty primary HDU and the table. */
async function writeTable(output: StorletOutputFile, hdu: FitsHdu, names: string[], kept: Record<string, unknown[]>, types: Record<string, ArrayConstructorLike>, units: Record<string, string>): Promise<void> {
  const columns: Record<string, TableColumn> = {};
  for (const name of names) columns[name] = (types[name] ?? Array).from(kept[name]!) as TableColumn;
  const plan = planTable({ kind: "bintable", columns, units: Object.fromEntries(Object.entries(units).filter(([k]) => names.includes(k))) }, 1);
  await output.write(formatHeader([
    { keyword: "SIMPLE", value: true, comment: "conforms to FITS standard" },
    { keyword: "BITPIX", value: 8 },
    { keyword: "NAXIS", value: 0 },
    { keyword: "EXTEND", value: true },
  ]));
  await output.write(formatHeader(tableHeader(plan, new Header([{ keyword: "EXTNAME", value: String(hdu.extname ?? "TABLE").trim() }])).cards));
  await writeTableData({ write: (bytes) => output.write(bytes.slice()) }, plan, new Uint8Array(1 << 20));
  const size = plan.nrows * plan.rowBytes + plan.heapSize;
  await output.write(new Uint8Array(padToBlock(size) - size));
}

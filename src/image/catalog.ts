/**
 * A columnar catalog (a FITS binary table): one typed array per numeric column.
 *
 * @packageDocumentation
 */
import { Header } from "./header.js";
import type { PixelArray } from "./image.js";

/**
 * One catalog column: a typed array for numbers, `string[]` for text, `boolean[]` for flags; or
 * one array per row for a variable-length column (`PixelArray[]`, `boolean[][]`: e.g. footprint
 * spans), stored as a FITS P/Q column.
 */
export type Column = PixelArray | string[] | boolean[] | PixelArray[] | boolean[][];

/** Per-column description. */
export interface ColumnInfo {
  /** Physical unit (FITS `TUNIT`), e.g. `"pixel"` or `"count"`. */
  unit?: string;
  /** Free text (written as a `TDOC`-style comment). */
  doc?: string;
}

/**
 * A catalog: named columns of equal length, in insertion order, plus header metadata.
 *
 * ```ts
 * const src = new Catalog({ id: new BigInt64Array([1n, 2n]), flux: new Float64Array([10, 20]) });
 * src.column("flux")[1];  // 20
 * ```
 */
export class Catalog {
  readonly #columns = new Map<string, Column>();
  /** Column units and docs. */
  readonly info = new Map<string, ColumnInfo>();
  /** Table metadata (extra header cards). */
  readonly metadata: Header;

  /**
   * @param columns - name → values; all must have the same length
   * @param metadata - header cards
   * @throws RangeError when the columns differ in length
   */
  constructor(columns: Record<string, Column> = {}, metadata: Header = new Header()) {
    this.metadata = metadata;
    for (const [name, values] of Object.entries(columns)) this.addColumn(name, values);
  }

  /** Number of rows (0 for a catalog without columns). */
  get length(): number {
    const first = this.#columns.values().next();
    return first.done ? 0 : first.value.length;
  }

  /** Column names in order. */
  get names(): string[] {
    return [...this.#columns.keys()];
  }

  /** The values of a column. @throws RangeError for an unknown column */
  column(name: string): Column {
    const col = this.#columns.get(name);
    if (col === undefined) throw new RangeError(`no column "${name}"; columns: ${this.names.join(", ")}`);
    return col;
  }

  /** Whether a column exists. */
  has(name: string): boolean {
    return this.#columns.has(name);
  }

  /**
   * Adds (or replaces) a column. @throws RangeError when its length differs from the others
   */
  addColumn(name: string, values: Column, info?: ColumnInfo): this {
    if (this.#columns.size > 0 && !this.#columns.has(name) && values.length !== this.length) {
      throw new RangeError(`column "${name}" has ${values.length} rows, the catalog has ${this.length}`);
    }
    this.#columns.set(name, values);
    if (info) this.info.set(name, info);
    return this;
  }

  /** The columns as a plain object. */
  toObject(): Record<string, Column> {
    return Object.fromEntries(this.#columns);
  }
}

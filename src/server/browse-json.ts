/**
 * Header cards and catalog rows as JSON the browser page shows: every value survives the trip
 * (64-bit integers as decimal strings, NaN and infinities by name, complex numbers as `(re, im)`),
 * and what is sent is bounded by the caller's paging.
 *
 * @packageDocumentation
 */
import type { Catalog, Column } from "../image/catalog.js";
import type { Header, HeaderValue } from "../image/header.js";

/** A JSON value of a cell or a card. */
export type JsonCell = string | number | boolean | null | JsonCell[];

/** One header card as sent. */
export interface JsonCard {
  keyword: string;
  value: JsonCell;
  comment: string;
}

/** One catalog column as sent. */
export interface JsonColumn {
  name: string;
  /** `float64`, `int64`, `string`, `boolean` … (the element type of the column's values). */
  type: string;
  /** Elements per row (more than 1 for a vector column). */
  repeat: number;
  unit: string;
}

/** The first `max` cards of a header. */
export function headerCards(header: Header, max: number): JsonCard[] {
  return header.cards.slice(0, max).map((card) => ({ keyword: card.keyword, value: headerValue(card.value), comment: card.comment ?? "" }));
}

function headerValue(value: HeaderValue): JsonCell {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return numberCell(value);
  if (typeof value === "bigint") return value.toString();
  return `(${value.re}, ${value.im})`;
}

function numberCell(value: number): JsonCell {
  return Number.isFinite(value) ? value : String(value);
}

/** The columns of a catalog. */
export function catalogColumns(catalog: Catalog): JsonColumn[] {
  const rows = catalog.length;
  return catalog.names.map((name) => {
    const column = catalog.column(name);
    return { name, type: elementType(column), repeat: rows === 0 ? 1 : Math.max(1, Math.round(column.length / rows)), unit: catalog.info.get(name)?.unit ?? "" };
  });
}

/** Rows `[offset, offset + limit)` of a catalog, each an array of cells in column order. */
export function catalogRows(catalog: Catalog, columns: readonly JsonColumn[], offset: number, limit: number): JsonCell[][] {
  const end = Math.min(catalog.length, offset + limit);
  const values = columns.map((c) => catalog.column(c.name));
  const rows: JsonCell[][] = [];
  for (let row = offset; row < end; row++) {
    rows.push(
      columns.map((c, i) => {
        const column = values[i]!;
        if (c.repeat === 1) return cell(column[row]);
        const out: JsonCell[] = [];
        for (let k = row * c.repeat; k < (row + 1) * c.repeat && k < column.length; k++) out.push(cell(column[k]));
        return out;
      }),
    );
  }
  return rows;
}

function cell(value: unknown): JsonCell {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return numberCell(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (ArrayBuffer.isView(value) || Array.isArray(value)) return Array.from(value as ArrayLike<unknown>, cell);
  return String(value);
}

function elementType(column: Column): string {
  if (Array.isArray(column)) {
    const first = column.find((v) => v !== null && v !== undefined);
    return typeof first === "boolean" ? "boolean" : "string";
  }
  const name = column.constructor.name.replace(/Array$/, "");
  return name.replace(/^Big/, "").replace(/^Float/, "float").replace(/^Int/, "int").replace(/^Uint/, "uint");
}

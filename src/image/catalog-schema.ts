/**
 * The columns of a FITS binary table, read from its header alone: what `<type>_schema` returns.
 *
 * @packageDocumentation
 */
import type { Header } from "./header.js";

/** The element type of a column, from its TFORM code (FITS 4.0 table 18). */
export type ColumnElementType =
  | "boolean" | "bit" | "uint8" | "int16" | "int32" | "int64" | "string"
  | "float32" | "float64" | "complex64" | "complex128" | "array-descriptor";

/** One column of a table's schema. */
export interface SchemaColumn {
  /** `TTYPEn`. */
  name: string;
  /** `TFORMn` as written, e.g. `1D`, `16A`. */
  format: string;
  /** Element type from the TFORM code. */
  type: ColumnElementType;
  /** Elements per row (the TFORM repeat count; characters for strings). */
  repeat: number;
  /** `TUNITn` when present. */
  unit?: string;
}

/**
 * A table's schema: its columns in order. Chosen over an empty Catalog because a schema must say
 * the column types even for string and bit columns, which an empty Catalog cannot show.
 */
export interface CatalogSchema {
  columns: SchemaColumn[];
}

const TYPES: Readonly<Record<string, ColumnElementType>> = {
  L: "boolean", X: "bit", B: "uint8", I: "int16", J: "int32", K: "int64", A: "string",
  E: "float32", D: "float64", C: "complex64", M: "complex128", P: "array-descriptor", Q: "array-descriptor",
};

/**
 * The schema of a binary table from its header (`TFIELDS`, `TTYPEn`, `TFORMn`, `TUNITn`); no data is
 * needed.
 * @throws RangeError when a `TFORMn` is missing or not a FITS binary-table format
 */
export function schemaFromHeader(header: Header): CatalogSchema {
  const fields = header.get("TFIELDS");
  const count = typeof fields === "number" ? fields : 0;
  const columns: SchemaColumn[] = [];
  for (let i = 1; i <= count; i++) {
    const format = header.get(`TFORM${i}`);
    const match = typeof format === "string" ? /^\s*(\d*)([LXBIJKAEDCMPQ])/.exec(format) : null;
    if (match === null) throw new RangeError(`column ${i} has no valid TFORM${i} (${JSON.stringify(format)})`);
    const name = header.get(`TTYPE${i}`);
    const column: SchemaColumn = {
      name: typeof name === "string" ? name.trim() : `col${i}`,
      format: (format as string).trim(),
      type: TYPES[match[2]!]!,
      repeat: match[1] === "" ? 1 : Number(match[1]),
    };
    const unit = header.get(`TUNIT${i}`);
    if (typeof unit === "string" && unit.trim() !== "") column.unit = unit.trim();
    columns.push(column);
  }
  return { columns };
}

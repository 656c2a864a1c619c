/**
 * What {@link writeFits} takes: one description per HDU.
 *
 * @packageDocumentation
 */
import type { Header } from "../image/header.js";
import type { PixelArray } from "../image/image.js";
import type { TableColumn } from "./bintable-read.js";
import type { VarColumn } from "./vla-read.js";

/** An image HDU to write. Without `data` it is header-only (NAXIS = 0). */
export interface ImageHduInput {
  kind: "image";
  /** Extra cards (EXTNAME, WCS …); structural ones are dropped and regenerated. */
  header?: Header;
  /** Pixels, row-major; the typed array's type chooses BITPIX (and BZERO for unsigned types). */
  data?: PixelArray;
  /** Row-major shape (`[NAXIS2, NAXIS1]`); default `[data.length]`. */
  shape?: number[];
  /**
   * Write the image tile-compressed (a ZIMAGE binary-table extension), losslessly. Integer data
   * only (Uint8, Int8, Int16, Uint16, Int32, Uint32 arrays): masks and counts, not floats.
   */
  compression?: ImageCompression;
}

/** How {@link ImageHduInput.compression} compresses an image. */
export interface ImageCompression {
  /** `"RICE_1"` (the default; fast, best for noisy counts) or `"GZIP_2"` (best for sparse masks). */
  type?: "RICE_1" | "GZIP_2";
  /** Tile shape, row-major like `shape` (default: one image row per tile, as CFITSIO does). */
  tile?: number[];
}

/** A binary-table HDU to write. */
export interface BinTableHduInput {
  kind: "bintable";
  /** Extra cards; structural and column-description cards are dropped and regenerated. */
  header?: Header;
  /**
   * Name → values, in column order. Typed arrays become B/I/J/K/E/D (unsigned and Int8 via TZERO),
   * `boolean[]` L, `string[]` A of the longest string's width (at least 1); an array of per-row
   * typed arrays or boolean arrays a variable-length column (as {@link BinTableHduInput.arrays}),
   * so a table read with `readTable` writes back from its `columns`.
   */
  columns: Record<string, TableColumn | VarColumn>;
  /** Name → TUNITn. */
  units?: Record<string, string>;
  /** Name → values per row (the r of `rT`, default 1); the column then holds `nrows * r` values. */
  repeats?: Record<string, number>;
  /** Name → TNULLn, the stored value of an integer column that means "undefined". */
  nulls?: Record<string, number | bigint>;
  /** Names of `boolean[]` columns to store as bits (X, 8 to a byte) rather than logicals (L). */
  bits?: string[];
  /**
   * Names of Float32Array (C) or Float64Array (M) columns holding complex numbers interleaved
   * `[re, im, re, im …]`; their repeat counts complex numbers.
   */
  complex?: string[];
  /** Name → the row-major shape of each row's values, written as TDIMn (FITS order reversed). */
  dims?: Record<string, number[]>;
  /**
   * Variable-length columns (TFORM `1Pt(max)`, or `1Qt` when the heap passes 2 GiB), name → one
   * array per row: typed arrays of one type, strings, or boolean arrays. Written after `columns`.
   */
  arrays?: Record<string, VarColumn>;
}

/** One HDU for {@link writeFits}. */
export type HduInput = ImageHduInput | BinTableHduInput;

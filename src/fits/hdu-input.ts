/**
 * What {@link writeFits} takes: one description per HDU.
 *
 * @packageDocumentation
 */
import type { Header } from "../image/header.js";
import type { PixelArray } from "../image/image.js";
import type { TableColumn } from "./bintable-read.js";

/** An image HDU to write. Without `data` it is header-only (NAXIS = 0). */
export interface ImageHduInput {
  kind: "image";
  /** Extra cards (EXTNAME, WCS …); structural ones are dropped and regenerated. */
  header?: Header;
  /** Pixels, row-major; the typed array's type chooses BITPIX (and BZERO for unsigned types). */
  data?: PixelArray;
  /** Row-major shape (`[NAXIS2, NAXIS1]`); default `[data.length]`. */
  shape?: number[];
}

/** A binary-table HDU to write. */
export interface BinTableHduInput {
  kind: "bintable";
  /** Extra cards; structural and column-description cards are dropped and regenerated. */
  header?: Header;
  /**
   * Name → values, in column order. Typed arrays become B/I/J/K/E/D (unsigned and Int8 via TZERO),
   * `boolean[]` L, `string[]` A of the longest string's width (at least 1).
   */
  columns: Record<string, TableColumn>;
  /** Name → TUNITn. */
  units?: Record<string, string>;
  /** Name → values per row (the r of `rT`, default 1); the column then holds `nrows * r` values. */
  repeats?: Record<string, number>;
  /** Name → TNULLn, the stored value of an integer column that means "undefined". */
  nulls?: Record<string, number | bigint>;
}

/** One HDU for {@link writeFits}. */
export type HduInput = ImageHduInput | BinTableHduInput;

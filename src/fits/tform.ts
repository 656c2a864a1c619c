/**
 * Binary-table column formats (TFORMn, FITS 4.0 §7.3.1 Table 18): every standard type is parsed
 * so row widths can be checked, even those this slice cannot decode yet.
 *
 * @packageDocumentation
 */
import type { Bitpix } from "./bitpix.js";

/** A TFORM type letter. */
export type TformCode = "L" | "X" | "B" | "I" | "J" | "K" | "A" | "E" | "D" | "C" | "M" | "P" | "Q";

/** A parsed TFORM. */
export interface Tform {
  /** Repeat count r of `rT`. */
  repeat: number;
  code: TformCode;
  /** Bytes per row of this column. */
  width: number;
  /** For P/Q (variable-length arrays): the element type letter. */
  arrayCode?: string;
}

/** Bytes per element (X: bits, counted separately). */
const ELEMENT_BYTES: Record<TformCode, number> = { L: 1, X: 0, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 };

/** Bits per element of each type, as stored in a row or on the heap. */
export const ELEMENT_BITS: Record<Exclude<TformCode, "P" | "Q">, number> = { L: 8, X: 1, B: 8, I: 16, J: 32, K: 64, A: 8, E: 32, D: 64, C: 64, M: 128 };

/** The BITPIX-equivalent storage of the numeric codes, sharing the image conversions. */
export const NUMERIC_CODES: Partial<Record<TformCode, Bitpix>> = { B: 8, I: 16, J: 32, K: 64, E: -32, D: -64 };

const TFORM = /^\s*(\d*)([A-Z])(.*)$/;

/**
 * Parses a TFORM value such as `1J`, `20A`, `E`, `1PE(30)`.
 * @returns undefined when the type letter is not a FITS one or the repeat is not a safe integer
 */
export function parseTform(text: string): Tform | undefined {
  const m = TFORM.exec(text.toUpperCase());
  if (!m) return undefined;
  const code = m[2] as TformCode;
  if (!(code in ELEMENT_BYTES)) return undefined;
  const repeat = m[1] === "" ? 1 : Number(m[1]);
  if (!Number.isSafeInteger(repeat)) return undefined;
  const tform: Tform = { repeat, code, width: 0 };
  if (code === "P" || code === "Q") {
    if (repeat > 1) return undefined;
    const element = /^([LXBIJKAEDCM])/.exec(m[3]!.trim());
    if (!element) return undefined;
    tform.arrayCode = element[1]!;
    tform.width = repeat * ELEMENT_BYTES[code];
  } else if (code === "X") {
    tform.width = Math.ceil(repeat / 8);
  } else {
    tform.width = repeat * ELEMENT_BYTES[code];
  }
  return Number.isSafeInteger(tform.width) ? tform : undefined;
}

/** Formats a TFORM for writing. */
export function formatTform(repeat: number, code: TformCode): string {
  return `${repeat}${code}`;
}

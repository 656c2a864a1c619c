/**
 * The value field of a FITS header card: parsing the text after `= ` and formatting a value back.
 * FITS 4.0 §4.2: strings with `''` escapes, logical T/F, integers, reals with `E` or `D`
 * exponents, complex `(re, im)`, and the undefined (empty) value.
 *
 * @packageDocumentation
 */
import type { Complex, HeaderValue } from "../image/header.js";
import { FitsError } from "../errors.js";

/** The result of parsing a value field. */
export interface ParsedValueField {
  value: HeaderValue;
  comment?: string;
  /** The value was a quoted string (so a trailing `&` may announce a CONTINUE card). */
  quoted: boolean;
  /** False when the field did not parse as any FITS value; `value` is then its raw text. */
  ok: boolean;
}

const INTEGER = /^[+-]?\d+$/;
const REAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][+-]?\d+)?$/;
const COMPLEX = /^\(\s*([^,\s]+)\s*,\s*([^)\s]+)\s*\)$/;

/**
 * Parses the value field (everything after the value indicator) of one card image. Never throws:
 * a field that is not a FITS value is returned verbatim with `ok: false`, because one bad
 * non-structural card must not make a whole file unreadable (the raw card is kept and written back).
 */
export function parseValueField(field: string): ParsedValueField {
  let i = 0;
  while (i < field.length && field[i] === " ") i++;
  if (field[i] === "'") return parseQuoted(field, i);
  const slash = field.indexOf("/", i);
  const text = (slash < 0 ? field.slice(i) : field.slice(i, slash)).trim();
  const result: ParsedValueField = { value: null, quoted: false, ok: true };
  if (slash >= 0) result.comment = field.slice(slash + 1).trim();
  const value = parseScalar(text);
  if (value === undefined) {
    result.value = text;
    result.ok = false;
  } else {
    result.value = value;
  }
  return result;
}

function parseQuoted(field: string, start: number): ParsedValueField {
  let text = "";
  let j = start + 1;
  for (;;) {
    const k = field.indexOf("'", j);
    if (k < 0) return { value: field.slice(start).trim(), quoted: false, ok: false };
    text += field.slice(j, k);
    if (field[k + 1] === "'") {
      text += "'";
      j = k + 2;
      continue;
    }
    j = k + 1;
    break;
  }
  const result: ParsedValueField = { value: trimString(text), quoted: true, ok: true };
  const rest = field.slice(j).trim();
  if (rest.startsWith("/")) result.comment = rest.slice(1).trim();
  return result;
}

/**
 * FITS 4.0 §4.2.1.1: trailing blanks are not significant, but a string of blanks is one blank
 * (distinct from the null string '').
 */
function trimString(text: string): string {
  const trimmed = text.replace(/ +$/, "");
  return trimmed === "" && text.length > 0 ? " " : trimmed;
}

function parseScalar(text: string): Exclude<HeaderValue, string> | undefined {
  if (text === "") return null;
  if (text === "T") return true;
  if (text === "F") return false;
  if (INTEGER.test(text)) return parseInteger(text);
  if (REAL.test(text)) return Number(text.replace(/[Dd]/, "E"));
  const m = COMPLEX.exec(text);
  if (m) {
    const [re, im] = [m[1]!, m[2]!];
    if ((INTEGER.test(re) || REAL.test(re)) && (INTEGER.test(im) || REAL.test(im))) {
      return { re: Number(re.replace(/[Dd]/, "E")), im: Number(im.replace(/[Dd]/, "E")) };
    }
  }
  return undefined;
}

/** Integers beyond ±(2^53 - 1) become bigint so no digit is lost. */
function parseInteger(text: string): number | bigint {
  const big = BigInt(text.startsWith("+") ? text.slice(1) : text);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/**
 * Formats a real so it reads back as the same double: JavaScript's shortest round-trip digits,
 * always with a decimal point (so it is not read back as an integer) and an upper-case `E`
 * exponent of at least two digits (as astropy and CFITSIO write).
 * @throws FitsError for NaN and ±Infinity, which FITS headers cannot hold
 */
export function formatReal(value: number): string {
  if (!Number.isFinite(value)) throw new FitsError(`header value ${value} cannot be written in FITS`);
  if (Object.is(value, -0)) return "-0.0";
  let text = String(value);
  // Large integral doubles print without exponent ("123456789012345680000"): that would read back
  // as a (different) integer, so force the exponent form.
  if (!/[.e]/.test(text)) text = value.toExponential();
  const [mantissa, exponent] = text.split("e") as [string, string | undefined];
  const m = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
  if (exponent === undefined) return m;
  const sign = exponent.startsWith("-") ? "-" : "+";
  const digits = exponent.replace(/^[+-]/, "").padStart(2, "0");
  return `${m}E${sign}${digits}`;
}

/** Whether a value is a {@link Complex}. */
export function isComplex(value: HeaderValue): value is Complex {
  return typeof value === "object" && value !== null;
}

/**
 * The text of a non-string value: `T`/`F`, integers (JS numbers that are safe integers, and
 * bigints), reals, complex, or "" for the undefined value.
 * @throws FitsError for non-finite numbers
 */
export function formatScalar(value: Exclude<HeaderValue, string>): string {
  if (value === null) return "";
  if (typeof value === "boolean") return value ? "T" : "F";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : formatReal(value);
  }
  return `(${formatReal(value.re)}, ${formatReal(value.im)})`;
}

/** Escapes a string value's quotes (`'` → `''`). */
export function escapeString(value: string): string {
  return value.replace(/'/g, "''");
}

/** Whether two header values are equal (numbers and bigints compare by value). */
export function valuesEqual(a: HeaderValue | undefined, b: HeaderValue | undefined): boolean {
  if ((typeof a === "number" || typeof a === "bigint") && (typeof b === "number" || typeof b === "bigint")) {
    if (typeof a === typeof b) return Object.is(a, b);
    const [n, big] = (typeof a === "bigint" ? [b, a] : [a, b]) as [number, bigint];
    return Number.isInteger(n) && BigInt(n) === big;
  }
  if (isComplex(a as HeaderValue) && isComplex(b as HeaderValue)) {
    const [x, y] = [a as Complex, b as Complex];
    return Object.is(x.re, y.re) && Object.is(x.im, y.im);
  }
  return a === b;
}

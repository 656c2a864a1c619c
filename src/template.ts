/**
 * Gen2 path templates, shared by the mappers (which fill them) and the scanning registry (which
 * parses file names with them): Python `%`-formatting with named fields (`raw/v%(visit)d_c%(ccd)02d.fits`).
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "./data-id.js";
import { DataIdError, PolicyError } from "./errors.js";

/** The type of a data-id key, as the template's conversion character implies. */
export type KeyType = "int" | "float" | "str";

/** One `%(key)…c` field of a template. */
export interface TemplateField {
  key: string;
  /** printf flags among `#0- +`. */
  flags: string;
  width?: number;
  precision?: number;
  /** The conversion character, one of `diouxXeEfFgGcrs`. */
  conversion: string;
}

/** A parsed template: literal text and fields, in order, plus the key types. */
export interface ParsedTemplate {
  template: string;
  /** key → type (Gen2's `keyDict`; when a key appears twice, the last field wins, as in Gen2). */
  keys: Map<string, KeyType>;
  segments: ReadonlyArray<string | TemplateField>;
}

// Gen2 found the keys with `%\((\w+)\).*?([diouxXeEfFgGcrs])`; a strict spec lets us also format them.
const FIELD = /^%\((\w+)\)([#0\- +]*)(\d+)?(?:\.(\d+))?[hlL]?([diouxXeEfFgGcrs])/;
const INT_CODES = "diouxX";
const FLOAT_CODES = "eEfFgG";

/** The largest width or precision of a template field. */
const MAX_FIELD_SIZE = 255;

const cache = new Map<string, ParsedTemplate>();

/**
 * Parses a template into literal text and `%(key)…` fields. `%%` is a literal `%`.
 *
 * ```ts
 * parseTemplate("raw/v%(visit)d_f%(filter)s.fits").keys;  // Map { visit → "int", filter → "str" }
 * ```
 * @throws PolicyError for a malformed field, a width or precision above 255, a bare `%d` (templates take named fields only), or an
 *   absolute template
 */
export function parseTemplate(template: string): ParsedTemplate {
  const cached = cache.get(template);
  if (cached !== undefined) return cached;
  if (typeof template !== "string" || template === "") throw new PolicyError("a template must be a non-empty string");
  if (template.startsWith("/")) throw new PolicyError(`template "${template}" is absolute; templates are relative to the repository root`);
  const segments: Array<string | TemplateField> = [];
  const keys = new Map<string, KeyType>();
  let literal = "";
  let i = 0;
  while (i < template.length) {
    const percent = template.indexOf("%", i);
    if (percent < 0) {
      literal += template.slice(i);
      break;
    }
    literal += template.slice(i, percent);
    if (template[percent + 1] === "%") {
      literal += "%";
      i = percent + 2;
      continue;
    }
    const match = FIELD.exec(template.slice(percent));
    if (match === null) {
      throw new PolicyError(
        `malformed field at offset ${percent} of template "${template}": expected %(key) followed by a conversion such as d, 05d, s or f (write %% for a literal %)`,
      );
    }
    if (literal !== "") segments.push(literal);
    literal = "";
    const [whole, key, flags, width, precision, conversion] = match as unknown as [string, string, string, string | undefined, string | undefined, string];
    const field: TemplateField = { key, flags, conversion };
    // A path segment is at most 255 bytes on every common filesystem: a larger width or precision
    // can only be a mistake (or an attack: %(visit)600000000d would build a 600 MB string)
    for (const [what, text] of [["width", width], ["precision", precision]] as const) {
      if (text !== undefined && Number(text) > MAX_FIELD_SIZE) {
        throw new PolicyError(`field %(${key}) of template "${template.slice(0, 200)}" has ${what} ${text.length > 12 ? `${text.slice(0, 12)}…` : text}; at most ${MAX_FIELD_SIZE} (a file name has at most 255 bytes)`);
      }
    }
    if (width !== undefined) field.width = Number(width);
    if (precision !== undefined) field.precision = Number(precision);
    segments.push(field);
    keys.delete(key); // so that Map order is the order of the last occurrence, like Gen2's dict update
    keys.set(key, keyType(conversion));
    i = percent + whole.length;
  }
  if (literal !== "") segments.push(literal);
  const parsed: ParsedTemplate = { template, keys, segments };
  cache.set(template, parsed);
  return parsed;
}

/** The key type a conversion character implies (Gen2's `_formatMap`). */
export function keyType(conversion: string): KeyType {
  if (INT_CODES.includes(conversion)) return "int";
  if (FLOAT_CODES.includes(conversion)) return "float";
  return "str";
}

/**
 * Fills a template from a data id, with Python's `%` semantics for width, zero padding, precision,
 * sign and `#` flags. Refuses any value that would let the path escape the repository root.
 *
 * ```ts
 * fillTemplate("raw/v%(visit)d_c%(ccd)02d.fits", { visit: 1, ccd: 3 });  // "raw/v1_c03.fits"
 * fillTemplate("raw/%(filter)s.fits", { filter: "../x" });              // throws DataIdError
 * ```
 * @throws DataIdError naming the key: a missing key; a non-integer for an integer field; a
 *   non-number for a float field; a value containing `/`, `\`, `..` or a control character; a
 *   result that is empty, absolute or has a `..` segment
 * @throws PolicyError for a malformed template
 */
export function fillTemplate(template: string, dataId: Readonly<DataId>): string {
  const parsed = parseTemplate(template);
  let out = "";
  // The key whose value starts the result: to blame when an empty value makes the result absolute.
  let leadingKey: string | undefined;
  for (const segment of parsed.segments) {
    if (typeof segment === "string") {
      out += segment;
      continue;
    }
    const value = dataId[segment.key];
    if (value === undefined || value === null) {
      throw new DataIdError(`data id has no "${segment.key}", needed by template "${template}"`, segment.key);
    }
    const text = formatField(segment, value, template);
    checkPiece(segment.key, text, template);
    if (out === "") leadingKey ??= segment.key;
    out += text;
  }
  const blame = leadingKey ?? [...parsed.keys.keys()][0];
  if (out === "") throw new DataIdError(`template "${template}" gives an empty path for this data id`, blame);
  if (out.startsWith("/") || /^[A-Za-z]:/.test(out)) {
    throw new DataIdError(`the value of "${blame}" makes template "${template}" an absolute path (${out}); paths stay below the repository root`, blame);
  }
  if (out.split("/").includes("..")) {
    throw new DataIdError(`data id values make template "${template}" escape the repository root (${out})`, blame);
  }
  return out;
}

/** A formatted value must stay inside one path segment and never name a parent directory. */
function checkPiece(key: string, text: string, template: string): void {
  // eslint-disable-next-line no-control-regex
  const bad = text.includes("/") || text.includes("\\") ? "a path separator" : text.includes("..") ? '".."' : /[\u0000-\u001f\u007f]/.test(text) ? "a control character" : undefined;
  if (bad !== undefined) {
    throw new DataIdError(
      `the value of "${key}" (${JSON.stringify(text)}) contains ${bad}, which could escape the repository root (template "${template}")`,
      key,
    );
  }
}

function formatField(field: TemplateField, value: DataIdValue, template: string): string {
  const c = field.conversion;
  if (INT_CODES.includes(c)) {
    if (typeof value !== "number" || !Number.isSafeInteger(value)) {
      throw new DataIdError(`"${field.key}" must be an integer for %${c} in template "${template}", not ${JSON.stringify(value)}`, field.key);
    }
    return pad(field, signed(field, value < 0, prefixed(field, intDigits(field, Math.abs(value)))), true);
  }
  if (FLOAT_CODES.includes(c)) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new DataIdError(`"${field.key}" must be a finite number for %${c} in template "${template}", not ${JSON.stringify(value)}`, field.key);
    }
    const negative = value < 0 || Object.is(value, -0);
    return pad(field, signed(field, negative, floatDigits(field, Math.abs(value))), true);
  }
  let text: string;
  if (c === "c") {
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= 0x10ffff) text = String.fromCodePoint(value);
    else if (typeof value === "string" && [...value].length === 1) text = value;
    else throw new DataIdError(`"${field.key}" must be one character or a code point for %c in template "${template}"`, field.key);
  } else if (c === "r" && typeof value === "string") {
    text = `'${value}'`; // Python repr of a plain string
  } else {
    text = String(value);
  }
  if (field.precision !== undefined) text = [...text].slice(0, field.precision).join("");
  return pad(field, { sign: "", body: text }, false);
}

interface Signed {
  sign: string;
  body: string;
}

function intDigits(field: TemplateField, n: number): string {
  const c = field.conversion;
  let digits = c === "o" ? n.toString(8) : c === "x" ? n.toString(16) : c === "X" ? n.toString(16).toUpperCase() : n.toString(10);
  // Python: a precision on an integer conversion is a minimum number of digits.
  if (field.precision !== undefined) digits = digits.padStart(field.precision, "0");
  return digits;
}

function prefixed(field: TemplateField, digits: string): string {
  if (!field.flags.includes("#")) return digits;
  return ({ o: "0o", x: "0x", X: "0X" }[field.conversion] ?? "") + digits;
}

function signed(field: TemplateField, negative: boolean, body: string): Signed {
  const sign = negative ? "-" : field.flags.includes("+") ? "+" : field.flags.includes(" ") ? " " : "";
  return { sign, body };
}

function floatDigits(field: TemplateField, x: number): string {
  const c = field.conversion;
  const precision = field.precision ?? 6;
  const alt = field.flags.includes("#");
  let text: string;
  if (c === "f" || c === "F") {
    text = x.toFixed(precision);
    if (alt && precision === 0) text += ".";
  } else if (c === "e" || c === "E") {
    text = exponential(x, precision, alt);
  } else {
    // %g: Python's rule — exponent X of the value rounded to P significant digits decides.
    const p = precision === 0 ? 1 : precision;
    const exp = x === 0 ? 0 : Number(x.toExponential(p - 1).split("e")[1]);
    if (exp >= -4 && exp < p) {
      text = x.toFixed(p - 1 - exp);
      if (!alt) text = stripZeros(text);
    } else {
      text = exponential(x, p - 1, alt);
      if (!alt) {
        const [mantissa, e] = text.split("e") as [string, string];
        text = `${stripZeros(mantissa)}e${e}`;
      }
    }
  }
  return c === "E" || c === "F" || c === "G" ? text.toUpperCase() : text;
}

/** JS writes `1.5e+0`; Python writes `1.500000e+00` (at least two exponent digits). */
function exponential(x: number, precision: number, alt: boolean): string {
  const [mantissa, exp] = x.toExponential(precision).split("e") as [string, string];
  const sign = exp.startsWith("-") ? "-" : "+";
  const digits = exp.replace(/^[+-]/, "").padStart(2, "0");
  return `${alt && !mantissa.includes(".") ? mantissa + "." : mantissa}e${sign}${digits}`;
}

function stripZeros(text: string): string {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

function pad(field: TemplateField, { sign, body }: Signed, numeric: boolean): string {
  const width = field.width ?? 0;
  const length = sign.length + [...body].length;
  if (length >= width) return sign + body;
  const fill = width - length;
  if (field.flags.includes("-")) return sign + body + " ".repeat(fill);
  if (numeric && field.flags.includes("0")) {
    // zeros go after the sign and after a 0x/0o prefix, as in C and Python
    const prefix = /^0[xXo]/.test(body) && field.flags.includes("#") ? body.slice(0, 2) : "";
    return sign + prefix + "0".repeat(fill) + body.slice(prefix.length);
  }
  return " ".repeat(fill) + sign + body;
}

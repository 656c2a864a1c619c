/**
 * Gen2's `FsScanner`: a path template turned into a parser of file names, so a repository without
 * a registry file can still complete data ids from the names of its files.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../../src/data-id.js";
import { fillTemplate, parseTemplate, type TemplateField } from "../../src/template.js";

/** Parses storage keys written by one template. */
export interface TemplateScanner {
  /** The template. */
  readonly template: string;
  /** The literal text before the first field: every matching key starts with it. */
  readonly prefix: string;
  /** The data id a key was written with, or undefined when the key does not match the template. */
  parse(key: string): DataId | undefined;
}

// What each conversion can print (Python `%` formatting, see template.ts); widths pad with spaces.
const INT = String.raw`\s*[-+ ]?\d+`;
const OCT = String.raw`\s*[-+ ]?(?:0o)?[0-7]+`;
const HEX = String.raw`\s*[-+ ]?(?:0[xX])?[0-9a-fA-F]+`;
const FLOAT = String.raw`\s*[-+ ]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf|nan|INF|NAN)`;
// A string stays within one path segment (fillTemplate refuses "/" in values).
const STR = String.raw`[^/]+?`;

const cache = new Map<string, TemplateScanner>();

/**
 * A scanner for a template. A key matches when the template's regular expression matches it AND
 * filling the template with the parsed data id gives the key back — so `%02d` accepts `03` but
 * not `3`, and a repeated key must repeat its value.
 *
 * ```ts
 * templateScanner("foo-%(ccd)02d-%(filter)s.fits").parse("foo-03-g.fits");  // { ccd: 3, filter: "g" }
 * ```
 * @throws PolicyError for a malformed template
 */
export function templateScanner(template: string): TemplateScanner {
  const cached = cache.get(template);
  if (cached !== undefined) return cached;
  const { segments } = parseTemplate(template);
  const fields: TemplateField[] = [];
  let source = "^";
  let prefix = "";
  for (const segment of segments) {
    if (typeof segment === "string") {
      if (fields.length === 0) prefix += segment;
      source += escapeRegExp(segment);
    } else {
      fields.push(segment);
      source += `(${pattern(segment.conversion)})`;
    }
  }
  const regex = new RegExp(`${source}$`);
  const scanner: TemplateScanner = {
    template,
    prefix,
    parse(key) {
      const match = regex.exec(key);
      if (match === null) return undefined;
      const id: DataId = {};
      for (const [i, field] of fields.entries()) {
        const value = convert(field.conversion, match[i + 1]!);
        if (value === undefined) return undefined;
        if (id[field.key] !== undefined && id[field.key] !== value) return undefined;
        id[field.key] = value;
      }
      try {
        return fillTemplate(template, id) === key ? id : undefined;
      } catch {
        return undefined; // a value fillTemplate refuses (e.g. "..") is no data id
      }
    },
  };
  cache.set(template, scanner);
  return scanner;
}

function pattern(conversion: string): string {
  if ("diu".includes(conversion)) return INT;
  if (conversion === "o") return OCT;
  if ("xX".includes(conversion)) return HEX;
  if ("eEfFgG".includes(conversion)) return FLOAT;
  if (conversion === "c") return "[^/]";
  return STR;
}

function convert(conversion: string, text: string): DataIdValue | undefined {
  const t = text.trim();
  if ("diu".includes(conversion)) return Number.parseInt(t, 10);
  if (conversion === "o") return signed(t, (d) => Number.parseInt(d.replace(/^0o/, ""), 8));
  if ("xX".includes(conversion)) return signed(t, (d) => Number.parseInt(d.replace(/^0[xX]/, ""), 16));
  if ("eEfFgG".includes(conversion)) {
    const n = Number(t);
    return Number.isFinite(n) ? n : undefined;
  }
  if (conversion === "r") return /^'.*'$/.test(text) ? text.slice(1, -1) : undefined;
  return text;
}

function signed(text: string, parse: (digits: string) => number): number {
  const negative = text.startsWith("-");
  const n = parse(text.replace(/^[-+ ]/, ""));
  return negative ? -n : n;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/**
 * Reading `meta` values leniently where pfstorage was lenient (form bodies make everything a
 * string) and strictly where it crashed.
 *
 * @packageDocumentation
 */
import { UsageError } from "../../errors.js";

/** A string value, or undefined when absent; numbers are accepted as their text. */
export function metaString(meta: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = meta[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw new UsageError(`meta.${name} must be a string`);
}

/** A list of strings: a JSON list, or a comma-separated string (what a form body gives). */
export function metaList(meta: Readonly<Record<string, unknown>>, name: string): string[] | undefined {
  const value = meta[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  throw new UsageError(`meta.${name} must be a list of strings`);
}

/** A listing prefix: leading `./` and `/` removed (pfstorage turned `./x` into `/x`, matching nothing). */
export function listingPrefix(value: string | undefined): string {
  return (value ?? "").replace(/^(\.\/|\/)+/, "").replace(/^\.$/, "");
}

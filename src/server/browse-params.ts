/**
 * The query parameters of the browser's routes: a data id as `id.KEY=VALUE` pairs (typed by the
 * dataset type's keys, so `id.visit=1` is the number 1 and `id.filter=1` stays the string "1"),
 * and bounded whole numbers and numbers for the options. The `id.` prefix keeps data id keys apart
 * from the options, whatever a camera calls its keys.
 *
 * @packageDocumentation
 */
import type { DataIdValue } from "../data-id.js";
import { DataIdError, UsageError } from "../errors.js";

/** A parsed query string, as fastify gives it (a repeated parameter is an array). */
export type QueryParams = Record<string, string | string[] | undefined>;

/** The value types of a dataset type's data id keys (`Butler.getKeys`). */
export type KeyTypes = Record<string, "int" | "float" | "str">;

const ID_PREFIX = "id.";

/**
 * The data id given as `id.KEY=VALUE` parameters.
 * @throws DataIdError for a key the dataset type does not have (the message lists its keys) or a
 *   value of the wrong type; UsageError for a parameter given twice
 */
export function dataIdParam(query: QueryParams, keys: KeyTypes): Record<string, DataIdValue> {
  const id: Record<string, DataIdValue> = {};
  for (const [name, raw] of Object.entries(query)) {
    if (!name.startsWith(ID_PREFIX) || raw === undefined) continue;
    const key = name.slice(ID_PREFIX.length);
    const text = single(name, raw);
    const type = Object.hasOwn(keys, key) ? keys[key] : undefined;
    if (type === undefined) {
      const known = Object.keys(keys);
      throw new DataIdError(`no data id key "${key}" here; the keys are ${known.join(", ") || "none"}`, key);
    }
    if (type === "str") id[key] = text;
    else {
      const value = text.trim() === "" ? NaN : Number(text);
      if (!Number.isFinite(value) || (type === "int" && !Number.isInteger(value))) {
        throw new DataIdError(`data id key "${key}" takes ${type === "int" ? "a whole number" : "a number"}, got ${JSON.stringify(text)}`, key);
      }
      id[key] = value;
    }
  }
  return id;
}

/**
 * A whole-number parameter in `[min, max]`, or `fallback` when absent.
 * @throws UsageError for a value that is not a whole number in range, or a parameter given twice
 */
export function intParam(query: QueryParams, name: string, min: number, max: number, fallback: number): number;
export function intParam(query: QueryParams, name: string, min: number, max: number): number | undefined;
export function intParam(query: QueryParams, name: string, min: number, max: number, fallback?: number): number | undefined {
  const raw = query[name];
  if (raw === undefined) return fallback;
  const text = single(name, raw);
  const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`"${name}" must be a whole number from ${min} to ${max}, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return value;
}

/**
 * A finite number parameter, or undefined when absent.
 * @throws UsageError for a value that is not a finite number, or a parameter given twice
 */
export function numberParam(query: QueryParams, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const text = single(name, raw);
  const value = text.trim() === "" ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`"${name}" must be a finite number, got ${JSON.stringify(text.slice(0, 40))}`);
  return value;
}

/**
 * A parameter that takes one of `choices`, or undefined when absent.
 * @throws UsageError for another value, or a parameter given twice
 */
export function choiceParam<T extends string>(query: QueryParams, name: string, choices: readonly T[]): T | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const text = single(name, raw);
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`"${name}" must be one of ${choices.join(", ")}, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return text as T;
}

function single(name: string, raw: string | string[]): string {
  if (Array.isArray(raw)) throw new UsageError(`"${name}" is given ${raw.length} times; give it once`);
  return raw;
}

/**
 * Checks of single policy values. Each takes the policy's source and the dotted path of the value
 * (`exposures.calexp.tables`), so every PolicyError says where the bad value is.
 *
 * @packageDocumentation
 */
import { PolicyError } from "../errors.js";

/**
 * A YAML mapping as a record.
 * @throws PolicyError for null, a list or a scalar
 */
export function mapping(value: unknown, source: string, where: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new PolicyError(`${source}: ${where} must be a mapping, not ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * A non-empty string, or undefined when the key is absent or null.
 * @throws PolicyError for any other value
 */
export function optionalString(value: unknown, source: string, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return requiredString(value, source, where);
}

/**
 * A non-empty string.
 * @throws PolicyError for anything else, absent included
 */
export function requiredString(value: unknown, source: string, where: string): string {
  if (typeof value !== "string" || value === "") throw new PolicyError(`${source}: ${where} must be a non-empty string, not ${describe(value)}`);
  return value;
}

/**
 * A boolean, or undefined when the key is absent or null.
 * @throws PolicyError for any other value
 */
export function optionalBoolean(value: unknown, source: string, where: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new PolicyError(`${source}: ${where} must be true or false, not ${describe(value)}`);
  return value;
}

/**
 * A list of non-empty strings, `fallback` when absent. Gen2 allowed both `tables: raw` and
 * `tables: [raw, raw_visit]`.
 * @throws PolicyError naming the bad item
 */
export function stringList(value: unknown, source: string, where: string, fallback: string[] = []): string[] {
  if (value === undefined || value === null) return fallback;
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, i) => requiredString(item, source, Array.isArray(value) ? `${where}[${i}]` : where));
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "a mapping" : JSON.stringify(value);
}

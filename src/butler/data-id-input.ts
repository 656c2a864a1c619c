/**
 * Data ids as callers give them, and their checks before any mapping.
 *
 * @packageDocumentation
 */
import { DataIdError } from "../errors.js";
import type { DataIdValue } from "../data-id.js";

/**
 * A data id as given by callers: strings and numbers, plus objects the mapper understands
 * (a `bbox` for `_sub` datasets).
 */
export type DataIdInput = Readonly<Record<string, DataIdValue | object>>;

/**
 * A copy of a data id after checking that it is a flat record of strings, finite numbers and plain
 * objects.
 * @throws DataIdError naming the offending key
 */
export function checkDataId(dataId: DataIdInput): DataIdInput {
  if (dataId === null || typeof dataId !== "object" || Array.isArray(dataId)) {
    throw new DataIdError(`a data id must be an object like { visit: 1, ccd: 0 }, got ${JSON.stringify(dataId)}`);
  }
  for (const [key, value] of Object.entries(dataId)) {
    const ok =
      typeof value === "string" ||
      (typeof value === "number" && Number.isFinite(value)) ||
      (value !== null && typeof value === "object" && !Array.isArray(value));
    if (!ok) throw new DataIdError(`data id key "${key}" must be a string or a finite number, got ${String(value)}`, key);
  }
  return { ...dataId };
}

/** The string and number entries of a data id (registry queries cannot use objects such as a bbox). */
export function plainDataId(dataId: DataIdInput): Record<string, DataIdValue> {
  return Object.fromEntries(Object.entries(dataId).filter(([, v]) => typeof v === "string" || typeof v === "number")) as Record<
    string,
    DataIdValue
  >;
}

/**
 * Data-id values checked and converted against the key types a mapper reports.
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../data-id.js";
import { DataIdError } from "../errors.js";
import type { KeyType } from "../template.js";

const INTEGER = /^[+-]?\d+$/;

/**
 * Returns a copy of the data id with each known key's value converted to its type: integer strings
 * become numbers for `int` keys (`"1"` → 1, so data ids from a command line or a URL work), numeric
 * strings for `float` keys, numbers become strings for `str` keys. Unknown keys are kept as given.
 * @throws DataIdError naming the key: a value that is not a string or a number, a non-integer for an
 *   `int` key, a non-number for a `float` key
 */
export function normalizeDataId(dataId: Readonly<Record<string, unknown>>, types: Readonly<Record<string, KeyType>>): DataId {
  if (dataId === null || typeof dataId !== "object") throw new DataIdError(`a data id must be an object of key: value pairs, not ${String(dataId)}`);
  const out: DataId = {};
  for (const [key, value] of Object.entries(dataId)) {
    if (value === undefined) continue;
    if (typeof value !== "string" && typeof value !== "number") {
      // a bbox is only taken by `<type>_sub`, which removes it before mapping the base type
      const hint = key === "bbox" || key === "imageOrigin" ? ` ("${key}" is only used by a <type>_sub dataset type)` : "";
      throw new DataIdError(`data id value of "${key}" must be a string or a number, not ${value === null ? "null" : typeof value}${hint}`, key);
    }
    out[key] = convert(key, value, Object.hasOwn(types, key) ? types[key] : undefined);
  }
  return out;
}

function convert(key: string, value: DataIdValue, type: KeyType | undefined): DataIdValue {
  switch (type) {
    case "int": {
      const n = typeof value === "number" ? value : INTEGER.test(value.trim()) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n)) throw new DataIdError(`data id key "${key}" must be an integer, not ${JSON.stringify(value)}`, key);
      return n;
    }
    case "float": {
      const n = typeof value === "number" ? value : value.trim() === "" ? NaN : Number(value);
      if (!Number.isFinite(n)) throw new DataIdError(`data id key "${key}" must be a finite number, not ${JSON.stringify(value)}`, key);
      return n;
    }
    case "str":
      return String(value);
    default:
      return value;
  }
}

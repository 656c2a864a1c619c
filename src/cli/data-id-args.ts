/**
 * `key=value` words of the command line as a data id.
 *
 * @packageDocumentation
 */
import type { DataIdValue } from "../data-id.js";
import { UsageError } from "../errors.js";

/**
 * Parses `k=v` words; integers become numbers.
 * @throws UsageError for a word without `=` or with an empty key
 */
export function parseDataId(words: readonly string[]): Record<string, DataIdValue> {
  const id: Record<string, DataIdValue> = {};
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new UsageError(`expected key=value, got "${word}"`);
    const value = word.slice(eq + 1);
    id[word.slice(0, eq)] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return id;
}

/**
 * pfstorage's output format: Python's `json.dumps(d, indent=4)` — four-space indent, keys in
 * insertion order, every non-ASCII character escaped as `\uXXXX` (surrogate pairs for astral ones).
 *
 * @packageDocumentation
 */

/** The text pfstorage would print for `value`. */
export function pfJson(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

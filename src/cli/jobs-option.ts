/**
 * `--jobs N`: transfers in flight at once.
 *
 * @packageDocumentation
 */
import { UsageError } from "../errors.js";

/**
 * Parses `--jobs` (commander's argument parser).
 * @throws UsageError unless an integer from 1 to 256
 */
export function parseJobs(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--jobs must be an integer from 1 to 256, got "${text}"`);
  return n;
}

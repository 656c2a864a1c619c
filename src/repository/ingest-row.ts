/**
 * A file's registry row, from the metadata its formatter read (a FITS header), by the camera's
 * ingest rules: each registry column takes the value of one metadata keyword.
 *
 * @packageDocumentation
 */
import { DataIdError } from "../errors.js";
import type { FileMetadata } from "../formatters/index.js";
import type { IngestRules } from "../mapper/index.js";

/**
 * The registry row of a file.
 * @throws DataIdError naming the column when its keyword is missing or not a string or a number
 */
export function ingestRow(metadata: FileMetadata, rules: IngestRules): Record<string, string | number> {
  const row: Record<string, string | number> = {};
  for (const [column, keyword] of Object.entries(rules.columns)) {
    const value = metadata[keyword] ?? metadata[keyword.toUpperCase()];
    if (value === undefined) throw new DataIdError(`its metadata has no ${keyword} (registry column "${column}")`, column);
    if (typeof value === "boolean" || (typeof value === "string" && value.trim() === "")) {
      throw new DataIdError(`its ${keyword} is ${JSON.stringify(value)}, not a usable value for registry column "${column}"`, column);
    }
    row[column] = typeof value === "string" ? value.trim() : value;
  }
  return row;
}

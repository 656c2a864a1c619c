/**
 * The `ingest` section of a mapper policy: how raw files become datasets and registry rows (Gen2's
 * `ingest.py` configuration of a camera: `parse.translation`, `register.columns`, `register.unique`,
 * `register.visit`), as `skybutler ingest` and `skybutler registry build` use it.
 *
 * ```yaml
 * ingest:
 *   datasetType: raw          # what the files are stored as (its template names them)
 *   table: raw                # the registry table; also `raw_visit`, one row per visit
 *   columns:                  # registry column (and data id key) → metadata keyword (FITS header card)
 *     visit: VISIT
 *     ccd: CCD
 *     filter: FILTER
 *   unique: [visit, ccd]      # what names one row (default: visit and ccd, those present)
 *   visitTable: true          # default true
 *   visitColumns: [filter]    # default: every column but the per-detector ones
 * ```
 *
 * @packageDocumentation
 */
import { PolicyError } from "../errors.js";
import type { DatasetPolicy } from "./policy-types.js";
import { mapping, optionalBoolean, requiredString, stringList } from "./policy-values.js";

/** The validated `ingest` section. */
export interface IngestPolicy {
  datasetType: string;
  table: string;
  /** Registry column → metadata keyword. */
  columns: Record<string, string>;
  unique?: string[];
  visitTable: boolean;
  visitColumns?: string[];
}

const KEYS = new Set(["datasetType", "table", "columns", "unique", "visitTable", "visitColumns"]);

/**
 * Validates the `ingest` section against the dataset types of the policy.
 * @throws PolicyError naming `ingest.<key>`: an unknown key, a missing value, a dataset type the
 *   policy does not define or that has no template, a `unique`/`visitColumns` entry that is not a column
 */
export function ingestPolicy(value: unknown, datasets: ReadonlyMap<string, DatasetPolicy>, source: string): IngestPolicy {
  const entry = mapping(value, source, "ingest");
  for (const key of Object.keys(entry)) if (!KEYS.has(key)) throw new PolicyError(`${source}: ingest.${key} is not an ingest setting; known: ${[...KEYS].join(", ")}`);
  const datasetType = requiredString(entry.datasetType, source, "ingest.datasetType");
  const dataset = datasets.get(datasetType);
  if (dataset?.template === undefined) throw new PolicyError(`${source}: ingest.datasetType "${datasetType}" must be a dataset type of this policy with a template`);
  const columns: Record<string, string> = {};
  for (const [column, keyword] of Object.entries(mapping(entry.columns, source, "ingest.columns"))) columns[column] = requiredString(keyword, source, `ingest.columns.${column}`);
  if (Object.keys(columns).length === 0) throw new PolicyError(`${source}: ingest.columns names no column`);
  const policy: IngestPolicy = {
    datasetType,
    table: entry.table === undefined ? datasetType : requiredString(entry.table, source, "ingest.table"),
    columns,
    visitTable: optionalBoolean(entry.visitTable, source, "ingest.visitTable") ?? true,
  };
  for (const key of ["unique", "visitColumns"] as const) {
    if (entry[key] == null) continue;
    const list = stringList(entry[key], source, `ingest.${key}`);
    const unknown = list.find((c) => !(c in columns));
    if (unknown !== undefined) throw new PolicyError(`${source}: ingest.${key} names "${unknown}", which is not in ingest.columns`);
    policy[key] = list;
  }
  return policy;
}

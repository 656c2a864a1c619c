/**
 * Gen2's `CalibrationMapping.lookup`: which calibration product (flat, bias …) applies to an
 * exposure, by the exposure's observation time and each product's validity range.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../data-id.js";
import { DataIdError } from "../errors.js";
import type { RangeCondition, Registry, TableRegistry } from "../../registry/registry.js";
import type { DatasetPolicy } from "./policy.js";
import { checkColumns, SKYMAP_KEYS } from "./registry-lookup.js";

/** The registries a calibration lookup reads. */
export interface CalibrationRegistries {
  /** The exposure registry (`registry.sqlite3`): the `reference` tables. */
  registry: Registry | undefined;
  /** The calibration registry (`calibRegistry.sqlite3`): one table per calibration type. */
  calibRegistry: TableRegistry | undefined;
}

/** Options of {@link calibrationLookup}. */
export interface CalibrationLookupOptions {
  /**
   * When the observation time cannot be found: true (mapping) raises DataIdError, false
   * (queryMetadata) drops the validity condition and lists every matching product.
   */
  requireTime: boolean;
}

/**
 * Looks `properties` up for a calibration dataset type, in two steps:
 *
 * 1. **Reference.** When the policy has `reference` tables and the data id has one of `refCols`
 *    (e.g. `visit`), the policy's `columns` (e.g. `filter`, `taiObs`) that the data id lacks are
 *    read from those tables of the exposure registry, keyed on the `refCols` — exactly one row
 *    must match. The observation time (`obsTimeName`, default `taiObs`) is fetched too when the
 *    tables have it.
 * 2. **Validity.** The calibration registry's `tables` (default: the type's own name) are
 *    queried with `<obsTime> BETWEEN <validStartName> AND <validEndName>` (when `validRange`), and
 *    every data-id key that is a column of those tables as a constraint — all of them, not only
 *    `columns` as in Gen2, so a per-CCD validity is honoured.
 *
 * Returns the distinct rows (values in `properties` order; keys already known are copied from the
 * data id) — one row when the calibration is determined.
 * @throws DataIdError when a registry is missing, the reference lookup is not unique, or (with
 *   `requireTime`) the observation time is neither in the data id nor found by reference
 * @throws RegistryError when a table or validity column is not in its registry
 */
export async function calibrationLookup(
  dataset: DatasetPolicy,
  properties: readonly string[],
  dataId: Readonly<DataId>,
  registries: CalibrationRegistries,
  options: CalibrationLookupOptions,
): Promise<DataIdValue[][]> {
  const id: DataId = { ...dataId, ...(await referenceValues(dataset, dataId, registries.registry)) };
  const remaining = properties.filter((p) => id[p] === undefined);
  if (remaining.length === 0) return [properties.map((p) => id[p]!)];
  const calib = registries.calibRegistry;
  if (calib === undefined) {
    throw new DataIdError(
      `"${dataset.name}" is a calibration and ${remaining.map((k) => `"${k}"`).join(", ")} must be looked up in the calibration ` +
        `registry (calibRegistry.sqlite3), which this repository does not have; add it or give the keys in the data id`,
      remaining[0],
    );
  }
  checkColumns(calib, dataset.tables, remaining);
  const timeKey = dataset.obsTimeName ?? "taiObs";
  const validity = new Set([dataset.validStartName, dataset.validEndName]);
  const where: DataId = {};
  for (const [key, value] of Object.entries(id)) {
    if (key !== timeKey && !validity.has(key) && !SKYMAP_KEYS.has(key)) where[key] = value;
  }
  let range: RangeCondition | undefined;
  if (dataset.validRange) {
    const time = id[timeKey];
    if (time !== undefined) range = { value: time, start: dataset.validStartName ?? "validStart", end: dataset.validEndName ?? "validEnd" };
    else if (options.requireTime) {
      const by = dataset.refCols.length > 0 ? ` or ${dataset.refCols.map((k) => `"${k}"`).join(", ")} to look it up in ${dataset.reference.join(", ")}` : "";
      throw new DataIdError(`"${dataset.name}" is chosen by its validity at the observation time: give "${timeKey}"${by}`, timeKey);
    }
  }
  const rows = await calib.lookup(remaining, dataset.tables, where, range === undefined ? {} : { range });
  return rows.map((row) => properties.map((p) => (id[p] !== undefined ? id[p]! : row[p]!)));
}

/** Step 1: the policy's `columns` (and the observation time) from the exposure registry's reference tables. */
async function referenceValues(dataset: DatasetPolicy, dataId: Readonly<DataId>, registry: Registry | undefined): Promise<DataId> {
  if (dataset.reference.length === 0) return {};
  const refKeys = dataset.refCols.length > 0 ? dataset.refCols : Object.keys(dataId);
  const where: DataId = {};
  for (const key of refKeys) if (dataId[key] !== undefined) where[key] = dataId[key]!;
  // Without a reference key the reference rows are every exposure: nothing to learn from them.
  if (Object.keys(where).length === 0) return {};
  const given = JSON.stringify(dataId);
  if (registry === undefined) {
    throw new DataIdError(`"${dataset.name}" takes ${dataset.columns.join(", ") || "its keys"} from the exposure registry for data id ${given}, but this repository has none; give them in the data id`);
  }
  // file names hold no reference tables: nothing to learn from them
  if (registry.kind !== "table") return {};
  const refColumns = new Set(dataset.reference.flatMap((t) => registry.columns(t)));
  const timeKey = dataset.obsTimeName ?? "taiObs";
  const wanted = [...new Set([...dataset.columns, ...(dataset.validRange ? [timeKey] : [])])].filter((c) => dataId[c] === undefined && refColumns.has(c));
  if (wanted.length === 0) return {};
  checkColumns(registry, dataset.reference, wanted);
  const rows = await registry.lookup(wanted, dataset.reference, where);
  if (rows.length !== 1) {
    const listed = rows.slice(0, 10).map((r) => JSON.stringify(r)).join(", ");
    throw new DataIdError(
      `"${dataset.name}": ${rows.length === 0 ? "no" : rows.length} ${dataset.reference.join(", ")} entries match ${JSON.stringify(where)}` +
        `${rows.length > 1 ? ` (${listed})` : ""}, so ${wanted.join(", ")} cannot be determined; check the data id`,
      wanted[0],
      rows,
    );
  }
  return rows[0]!;
}

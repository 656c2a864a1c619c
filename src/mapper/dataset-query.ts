/**
 * The policy-driven half of `queryMetadata`: distinct registry values for one policy entry.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../data-id.js";
import { DataIdError, PolicyError, RegistryError } from "../errors.js";
import { calibrationLookup } from "./calibration-lookup.js";
import { normalizationKeys } from "./dataset-keys.js";
import type { NeedContext } from "./need.js";
import { normalizeDataId } from "./normalize-data-id.js";
import type { DatasetPolicy } from "./policy.js";
import { registryLookup } from "./registry-lookup.js";

/** Where {@link queryDataset} looks, and what its messages name. */
export interface QueryContext extends NeedContext {
  /** The policy's source, for messages about the policy. */
  policySource: string;
}

/**
 * Distinct values of the `format` keys among the registry rows matching the data id: a list of
 * values for one key, a list of tuples for several (as Gen2), sorted. A calibration is queried in
 * the calibration registry, at the exposure's observation time when the data id determines it,
 * else over every validity range (a query lists candidates; it must not demand a unique one).
 * @param datasetType - the name asked for, for messages
 * @throws DataIdError for an empty format, or a key that is not a registry column
 * @throws PolicyError for a type without registry tables
 * @throws RegistryError when there is no registry
 */
export async function queryDataset(
  datasetType: string,
  dataset: DatasetPolicy,
  format: readonly string[],
  dataId: Readonly<DataId>,
  ctx: QueryContext,
): Promise<Array<DataIdValue | DataIdValue[]>> {
  if (format.length === 0) throw new DataIdError("queryMetadata needs at least one key to return (format)");
  const id = normalizeDataId(dataId, normalizationKeys(dataset, ctx));
  let rows: DataIdValue[][];
  if (dataset.section === "calibrations") {
    rows = await calibrationLookup(dataset, format, id, ctx, { requireTime: false });
  } else {
    const registry = ctx.registry;
    if (registry === undefined) throw new RegistryError(`mapper ${ctx.mapperName} has no registry; queryMetadata("${datasetType}") needs one`);
    if (dataset.tables.length === 0 && registry.kind === "table") {
      throw new PolicyError(`${ctx.policySource}: dataset type "${datasetType}" lists no registry tables; it cannot be queried`);
    }
    rows = await registryLookup(registry, dataset, format, id);
  }
  return format.length === 1 ? rows.map((row) => row[0]!) : rows;
}

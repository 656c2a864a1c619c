/**
 * Gen2's `Mapping.need`: the registry must supply exactly one value for each key a template needs
 * and the data id lacks.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../data-id.js";
import { DataIdError } from "../errors.js";
import type { Registry, TableRegistry } from "../../registry/registry.js";
import { calibrationLookup } from "./calibration-lookup.js";
import type { DatasetPolicy } from "./policy.js";
import { registryLookup, SKYMAP_KEYS } from "./registry-lookup.js";

const MAX_LISTED = 10;

/** Where {@link lookupMissing} looks. */
export interface NeedContext {
  /** The exposure registry (a table registry, or the scanning one for a repository without a registry file). */
  registry: Registry | undefined;
  /** The calibration registry. */
  calibRegistry: TableRegistry | undefined;
  /** The mapper's name, for messages. */
  mapperName: string;
}

/**
 * The values of `missing` for a data id: from the exposure registry, or for a calibration from
 * its reference tables and the calibration registry's validity ranges.
 * @throws DataIdError when a key cannot be looked up, or no or several registry rows match
 *   (listing the candidates)
 * @throws RegistryError when a table the policy names is not in its registry
 */
export async function lookupMissing(dataset: DatasetPolicy, missing: string[], id: Readonly<DataId>, ctx: NeedContext): Promise<DataId> {
  const given = JSON.stringify(id);
  const names = missing.map((k) => `"${k}"`).join(", ");
  const skymap = missing.find((k) => SKYMAP_KEYS.has(k));
  if (skymap !== undefined) {
    throw new DataIdError(`data id ${given} has no "${skymap}"; ${skymap} comes from the sky map and is never looked up: give it in the data id`, skymap);
  }
  let rows: DataIdValue[][];
  if (dataset.section === "calibrations") {
    rows = await calibrationLookup(dataset, missing, id, ctx, { requireTime: true });
    if (rows.length === 0) {
      const time = dataset.obsTimeName ?? "taiObs";
      throw new DataIdError(
        `no "${dataset.name}" calibration in the calibration registry is valid for data id ${given}` +
          `${dataset.validRange ? ` (at the exposure's ${time})` : ""}, so ${names} cannot be looked up; check the calibration registry's validity ranges`,
        missing[0],
      );
    }
  } else {
    if (ctx.registry === undefined) {
      throw new DataIdError(`data id ${given} has no ${names} for "${dataset.name}" and mapper ${ctx.mapperName} has no registry to look it up; add it to the data id`, missing[0]);
    }
    if (dataset.tables.length === 0 && ctx.registry.kind === "table") {
      throw new DataIdError(`data id ${given} has no ${names}, and "${dataset.name}" lists no registry tables to look it up in; add it to the data id`, missing[0]);
    }
    rows = await registryLookup(ctx.registry, dataset, missing, id);
    if (rows.length === 0) {
      throw new DataIdError(`no registry entry for "${dataset.name}" matches data id ${given}, so ${names} cannot be looked up; check the data id`, missing[0]);
    }
  }
  if (rows.length > 1) {
    const candidates = rows.map((row) => (missing.length === 1 ? row[0]! : Object.fromEntries(missing.map((k, i) => [k, row[i]!]))));
    const listed = candidates.slice(0, MAX_LISTED).map((c) => JSON.stringify(c)).join(", ");
    const more = candidates.length > MAX_LISTED ? `, … (${candidates.length - MAX_LISTED} more)` : "";
    throw new DataIdError(
      `data id ${given} does not determine ${names} for "${dataset.name}": ${rows.length} registry entries match (${listed}${more}); add ${names} to the data id`,
      missing[0],
      candidates,
    );
  }
  return Object.fromEntries(missing.map((k, i) => [k, rows[0]![i]!]));
}

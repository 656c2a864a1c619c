/**
 * Gen2's `Mapping.lookup`: the registry query behind both `map` (missing keys) and `queryMetadata`.
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../data-id.js";
import { DataIdError, RegistryError } from "../errors.js";
import type { Registry, TableRegistry, TemplateRegistry } from "../../registry/registry.js";
import type { DatasetPolicy } from "./policy.js";
import { parseTemplate } from "../template.js";

/** Sky-map keys: they come from the sky map, not the registry, so they must be in the data id. */
export const SKYMAP_KEYS: ReadonlySet<string> = new Set(["tract", "patch"]);
/** Keys that depend on the visit only, so `raw_visit` (one row per visit) answers them. */
const VISIT_KEYS: ReadonlySet<string> = new Set(["filter", "expTime", "taiObs"]);

/**
 * Looks `properties` up for a dataset type, one array per distinct row in `properties` order,
 * sorted. As Gen2:
 * - `tract`/`patch` are copied from the data id into every row, never queried;
 * - when every property is a per-visit key, `visit` is given and `raw` is a table, `raw_visit` is
 *   queried with `visit` alone (skipped when the registry has no `raw_visit`);
 * - otherwise data-id keys constrain, except those outside the policy's `columns` (when it lists
 *   any), the observation-time key and the sky-map keys;
 * - a registry that answers by template (the scanning registry) is asked with the dataset's
 *   template, and the data-id keys that are template keys constrain.
 * @throws DataIdError when a property is a sky-map key missing from the data id, or is not a column
 *   of the tables (not a template key, for a scanning registry)
 * @throws RegistryError when a table is not in the registry
 */
export async function registryLookup(
  registry: Registry,
  dataset: DatasetPolicy,
  properties: readonly string[],
  dataId: Readonly<DataId>,
): Promise<DataIdValue[][]> {
  const slots: Array<{ fixed: DataIdValue } | { index: number }> = [];
  const queried: string[] = [];
  for (const property of properties) {
    if (SKYMAP_KEYS.has(property)) {
      const value = dataId[property];
      if (value === undefined) {
        throw new DataIdError(`"${property}" is never looked up in the registry (it comes from the sky map); give it in the data id`, property);
      }
      slots.push({ fixed: value });
    } else {
      slots.push({ index: queried.length });
      queried.push(property);
    }
  }
  let rows: DataIdValue[][] = [[]];
  if (queried.length === 0) {
    // every property was fixed: one row, nothing to ask
  } else if (registry.kind === "template") {
    rows = await fileNameLookup(registry, dataset, queried, dataId);
  } else {
    let tables = dataset.tables;
    let where: DataId = {};
    const visit = dataId.visit;
    const fast = queried.every((p) => VISIT_KEYS.has(p)) && visit !== undefined && tables.includes("raw") && registry.tables().includes("raw_visit");
    if (fast) {
      tables = ["raw_visit"];
      where = { visit };
    } else {
      for (const [key, value] of Object.entries(dataId)) {
        if (dataset.columns.length > 0 && !dataset.columns.includes(key)) continue;
        if (key === dataset.obsTimeName || SKYMAP_KEYS.has(key)) continue;
        where[key] = value;
      }
    }
    checkColumns(registry, tables, queried);
    rows = (await registry.lookup(queried, tables, where)).map((row) => queried.map((p) => row[p]!));
  }
  return rows.map((row) => slots.map((slot) => ("fixed" in slot ? slot.fixed : row[slot.index]!)));
}

/** Checks that the tables exist and have the properties. @throws RegistryError, DataIdError */
export function checkColumns(registry: TableRegistry, tables: readonly string[], properties: readonly string[]): void {
  const present = registry.tables();
  for (const table of tables) {
    // a policy/registry mismatch, not a data-id problem: say which tables exist
    if (!present.includes(table)) throw new RegistryError(`registry has no table "${table}"; known tables: ${present.join(", ") || "(none)"}`);
  }
  const known = new Set(tables.flatMap((t) => registry.columns(t)));
  for (const property of properties) {
    if (!known.has(property)) {
      throw new DataIdError(
        `"${property}" cannot be looked up: it is not a column of registry table(s) ${tables.join(", ")} ` +
          `(columns: ${[...known].join(", ") || "none"}); give it in the data id`,
        property,
      );
    }
  }
}

async function fileNameLookup(registry: TemplateRegistry, dataset: DatasetPolicy, properties: string[], dataId: Readonly<DataId>): Promise<DataIdValue[][]> {
  const template = dataset.template;
  if (template === undefined) {
    throw new DataIdError(`"${dataset.name}" has no template, so the file-name registry cannot look ${properties.join(", ")} up; give it in the data id`, properties[0]);
  }
  const keys = parseTemplate(template).keys;
  for (const property of properties) {
    if (!keys.has(property)) {
      throw new DataIdError(
        `"${property}" cannot be looked up: this repository has no registry file, and its file names (template "${template}") ` +
          `do not contain "${property}" (FITS headers are not read); give it in the data id`,
        property,
      );
    }
  }
  const where: DataId = {};
  for (const [key, value] of Object.entries(dataId)) if (keys.has(key) && key !== dataset.obsTimeName) where[key] = value;
  return (await registry.lookup(properties, template, where)).map((row) => properties.map((p) => row[p]!));
}

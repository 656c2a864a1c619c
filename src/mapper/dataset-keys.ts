/**
 * The data-id keys of a dataset type and their types (Gen2 `getKeys`): what a template names plus
 * the columns of the registry tables the policy lists for it.
 *
 * @packageDocumentation
 */
import type { CalibrationRegistries } from "./calibration-lookup.js";
import type { DatasetPolicy, MapperPolicy } from "./policy.js";
import { parseTemplate, type KeyType } from "../template.js";

/**
 * The keys of one dataset type: the columns of its registry tables (the calibration registry's for
 * a calibration) plus its template's keys; where both name a key the template's type wins, since
 * it is what the file name is built from.
 */
export function datasetKeys(dataset: DatasetPolicy, registries: CalibrationRegistries): Record<string, KeyType> {
  const registry = dataset.section === "calibrations" ? registries.calibRegistry : registries.registry;
  const keys: Record<string, KeyType> = {};
  if (registry?.kind === "table") {
    // only tables the registry has: a policy may list optional ones (e.g. raw_skyTile)
    const present = new Set(registry.tables());
    for (const table of dataset.tables) if (present.has(table)) Object.assign(keys, registry.columnTypes(table));
  }
  if (dataset.template !== undefined) for (const [key, type] of parseTemplate(dataset.template).keys) keys[key] = type;
  return keys;
}

/**
 * Key types for normalizing a data id of the type: its {@link datasetKeys}, and for a calibration
 * also the exposure registry's reference keys (`visit` …), which select the calibration without
 * being its own keys.
 */
export function normalizationKeys(dataset: DatasetPolicy, registries: CalibrationRegistries): Readonly<Record<string, KeyType>> {
  // every get and put normalizes its data id: the answer depends only on the policy and the
  // registries' schemas (fixed when a registry is opened), so it is worked out once per pair
  const cached = normalizationCache.get(dataset);
  if (cached !== undefined && cached.registry === registries.registry && cached.calibRegistry === registries.calibRegistry) return cached.keys;
  const keys = Object.freeze(computeNormalizationKeys(dataset, registries));
  normalizationCache.set(dataset, { registry: registries.registry, calibRegistry: registries.calibRegistry, keys });
  return keys;
}

/** {@link normalizationKeys} of a policy, with the registries they were worked out for. */
const normalizationCache = new WeakMap<DatasetPolicy, { registry: unknown; calibRegistry: unknown; keys: Readonly<Record<string, KeyType>> }>();

function computeNormalizationKeys(dataset: DatasetPolicy, registries: CalibrationRegistries): Record<string, KeyType> {
  const keys = datasetKeys(dataset, registries);
  const { registry } = registries;
  if (dataset.section !== "calibrations" || registry?.kind !== "table") return keys;
  const present = new Set(registry.tables());
  const reference: Record<string, KeyType> = {};
  for (const table of dataset.reference) if (present.has(table)) Object.assign(reference, registry.columnTypes(table));
  return { ...reference, ...keys };
}

/**
 * The union of the keys of several dataset types, less those the policy's `levels` says are below
 * `level` (a level the policy does not name removes nothing).
 */
export function keysAtLevel(
  datasets: Iterable<DatasetPolicy>,
  registries: CalibrationRegistries,
  levels: MapperPolicy["levels"],
  level: string | undefined,
): Record<string, KeyType> {
  const keys: Record<string, KeyType> = {};
  for (const dataset of datasets) Object.assign(keys, datasetKeys(dataset, registries));
  if (level !== undefined && Object.hasOwn(levels, level)) {
    for (const key of levels[level]!) delete keys[key];
  }
  return keys;
}

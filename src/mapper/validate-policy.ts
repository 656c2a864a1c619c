/**
 * Validation of a whole policy document: the top-level keys, then each section's dataset types.
 *
 * @packageDocumentation
 */
import { PolicyError } from "../errors.js";
import { datasetPolicy } from "./dataset-policy.js";
import { ingestPolicy } from "./ingest-policy.js";
import { POLICY_SECTIONS, type DatasetPolicy, type MapperPolicy } from "./policy-types.js";
import { mapping, optionalBoolean, optionalString, requiredString, stringList } from "./policy-values.js";

/**
 * Validates a policy document (already parsed) and applies section defaults.
 * @throws PolicyError naming the source and the key: a missing `template`/`storage`, a malformed
 *   template, a value of the wrong type, or a dataset type defined in two sections
 */
export function validatePolicy(document: unknown, source: string): MapperPolicy {
  const doc = mapping(document, source, "(top level)");
  const policy: MapperPolicy = {
    source,
    levels: {},
    defaultSubLevels: {},
    needCalibRegistry: optionalBoolean(doc.needCalibRegistry, source, "needCalibRegistry") ?? false,
    datasets: new Map(),
    document: doc,
  };
  const camera = optionalString(doc.camera, source, "camera");
  if (camera !== undefined) policy.camera = camera;
  const defaultLevel = optionalString(doc.defaultLevel, source, "defaultLevel");
  if (defaultLevel !== undefined) policy.defaultLevel = defaultLevel;
  for (const key of ["registryPath", "calibRegistryPath"] as const) {
    const value = optionalString(doc[key], source, key);
    if (value !== undefined) policy[key] = value;
  }
  if (doc.levels != null) {
    for (const [level, keys] of Object.entries(mapping(doc.levels, source, "levels"))) {
      // `sensor: none` in some cameras' policies means "no keys removed at this level"
      policy.levels[level] = stringList(keys, source, `levels.${level}`).filter((k) => k !== "none");
    }
  }
  if (doc.defaultSubLevels != null) {
    for (const [level, sub] of Object.entries(mapping(doc.defaultSubLevels, source, "defaultSubLevels"))) {
      policy.defaultSubLevels[level] = requiredString(sub, source, `defaultSubLevels.${level}`);
    }
  }
  const datasets = new Map<string, DatasetPolicy>();
  for (const section of POLICY_SECTIONS) {
    if (doc[section] == null) continue;
    for (const [name, entry] of Object.entries(mapping(doc[section], source, section))) {
      const previous = datasets.get(name);
      if (previous !== undefined) {
        throw new PolicyError(`${source}: duplicate mapping policy for dataset type "${name}": defined in both ${previous.section} and ${section}`);
      }
      datasets.set(name, datasetPolicy(name, section, entry, source));
    }
  }
  // Unknown top-level keys are tolerated: cameras carry their own (e.g. `defects`).
  policy.datasets = datasets;
  if (doc.ingest != null) policy.ingest = ingestPolicy(doc.ingest, datasets, source);
  return policy;
}

/**
 * Mapper policies: the YAML that defines a camera's dataset types (Gen2's `<camera>Mapper.yaml`).
 *
 * ```yaml
 * camera: testcam
 * defaultLevel: Ccd
 * exposures:
 *   calexp: {template: "calexp/v%(visit)d_f%(filter)s_c%(ccd)02d.fits", tables: [raw, raw_visit]}
 * datasets:
 *   src: {template: "src/v%(visit)d.fits", python: Catalog, storage: FitsCatalogStorage}
 * ```
 *
 * Section defaults stand in for obs_base's `policy/*MappingDefaults.yaml` (see {@link SECTION_DEFAULTS}).
 *
 * @packageDocumentation
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { PolicyError } from "../errors.js";
import type { MapperPolicy } from "./policy-types.js";
import { validatePolicy } from "./validate-policy.js";

// The policy API is split by role (types, section defaults, one entry, the whole document, merge);
// this module is where the rest of the library imports it from.
export { mergePolicy } from "./merge-policy.js";
export { POLICY_SECTIONS, type CompositePolicy, type DatasetPolicy, type MapperPolicy, type PolicySection } from "./policy-types.js";
export { COMPOSITE_STORAGE, SECTION_DEFAULTS } from "./section-defaults.js";
export { validatePolicy } from "./validate-policy.js";

/**
 * Reads and validates a policy file.
 * @param path - a file path or a `file:` URL (e.g. `new URL("./policy.yaml", import.meta.url)`)
 * @throws PolicyError when the file cannot be read, is not YAML, or is invalid
 */
export async function loadPolicy(path: string | URL): Promise<MapperPolicy> {
  const file = path instanceof URL ? fileURLToPath(path) : path;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new PolicyError(`cannot read mapper policy ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parsePolicy(text, file);
}

/**
 * Parses and validates policy YAML text.
 * @param source - the file name or a label, used in every message
 * @throws PolicyError for YAML syntax errors, duplicate keys, or an invalid policy
 */
export function parsePolicy(text: string, source: string): MapperPolicy {
  let document: unknown;
  try {
    // The default (core) schema: portable YAML, no language-specific tags.
    document = parse(text, { uniqueKeys: true });
  } catch (err) {
    throw new PolicyError(`${source}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  return validatePolicy(document ?? {}, source);
}

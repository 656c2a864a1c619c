/**
 * Overlaying a policy override on a policy (Gen2's `policy.update`). The documents are merged as
 * written and the result validated again, so defaults follow the merged entry, not the base's.
 *
 * @packageDocumentation
 */
import type { MapperPolicy } from "./policy-types.js";
import { mapping } from "./policy-values.js";
import { validatePolicy } from "./validate-policy.js";

/**
 * Overlays an override document (e.g. a repository's `policy` from its RepositoryCfg) on a policy:
 * override values win, dataset-type entries merge key by key (Gen2's `policy.update`).
 *
 * ```ts
 * mergePolicy(base, { exposures: { calexp: { template: "calexp/%(visit)d.fits" } } }, "repo cfg");
 * ```
 * @throws PolicyError when the merged policy is invalid (e.g. the override defines a type in a
 *   second section)
 */
export function mergePolicy(base: MapperPolicy, override: Readonly<Record<string, unknown>>, overrideSource = "policy override"): MapperPolicy {
  const merged = deepMerge(base.document, mapping(override, overrideSource, "(top level)"));
  return validatePolicy(merged, `${base.source} + ${overrideSource}`);
}

function deepMerge(base: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (key === "__proto__") continue; // assigning it would replace the prototype, not add a key
    const current = out[key];
    const bothMappings = isMapping(current) && isMapping(value);
    out[key] = bothMappings ? deepMerge(current, value) : value;
  }
  return out;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * What a dataset type name denotes for a mapper: a policy entry, a type only a `map_<type>` hook
 * defines, a `<composite>.<component>` name, a synthesised variant (`calexp_md` …), or a type only a
 * `bypass_<base>_<name>` hook defines. The answer depends on the policy *and* on the hook methods of
 * the mapper subclass, so every function takes both.
 *
 * @packageDocumentation
 */
import { PolicyError, UsageError } from "../errors.js";
import { checkCompositeMethods } from "./composite.js";
import { findHook, hookNames } from "./hooks.js";
import type { DatasetPolicy, MapperPolicy } from "./policy.js";
import { parseVariant, variantNames, type VariantSpec } from "./variants.js";

/** What a dataset type name denotes (see {@link resolveDatasetType}). */
export type ResolvedName =
  | { kind: "policy"; dataset: DatasetPolicy }
  | { kind: "hook" }
  | { kind: "component"; component: string; datasetType: string }
  | { kind: "variant"; base: string; spec: VariantSpec; basePolicy: DatasetPolicy | undefined }
  | { kind: "bypass"; base: string; basePolicy: DatasetPolicy | undefined };

/**
 * What a name denotes, or undefined for an unknown name. Checked in this order, so a policy entry
 * or a `map_` hook always wins over a derived reading of the same name.
 * @param mapper - the mapper whose `map_` / `bypass_` hook methods count as definitions
 */
export function resolveDatasetType(mapper: object, policy: MapperPolicy, datasetType: string): ResolvedName | undefined {
  const dataset = policy.datasets.get(datasetType);
  if (dataset !== undefined) return { kind: "policy", dataset };
  if (findHook(mapper, "map_", datasetType) !== undefined) return { kind: "hook" };
  const dot = datasetType.indexOf(".");
  if (dot > 0) {
    const component = policy.datasets.get(datasetType.slice(0, dot))?.composite?.components[datasetType.slice(dot + 1)];
    if (component !== undefined) return { kind: "component", component: datasetType.slice(dot + 1), datasetType: component.datasetType };
  }
  // null: a base only a map_ hook defines (known, but without a policy entry)
  const known = (name: string): DatasetPolicy | null | undefined =>
    policy.datasets.get(name) ?? (findHook(mapper, "map_", name) !== undefined ? null : undefined);
  const variant = parseVariant(datasetType, known);
  if (variant !== undefined) return { kind: "variant", ...variant, basePolicy: known(variant.base) ?? undefined };
  if (findHook(mapper, "bypass_", datasetType) !== undefined) {
    // the longest known prefix before an "_": bypass_raw_detectorName → raw
    for (let i = datasetType.lastIndexOf("_"); i > 0; i = datasetType.lastIndexOf("_", i - 1)) {
      const base = datasetType.slice(0, i);
      const basePolicy = known(base);
      if (basePolicy !== undefined) return { kind: "bypass", base, basePolicy: basePolicy ?? undefined };
    }
  }
  return undefined;
}

/**
 * Every dataset type: the policy's, then those only hooks define (sorted), then the variants of
 * each in policy order.
 * @param stop - the base class prototype: hooks are looked for only in the subclasses below it
 */
export function listDatasetTypes(mapper: object, policy: MapperPolicy, stop: object): string[] {
  const fromPolicy = [...policy.datasets.keys()];
  const mapHooks = hookNames(mapper, "map_", stop).filter((n) => !policy.datasets.has(n));
  const bypassOnly = hookNames(mapper, "bypass_", stop).filter((n) => resolveDatasetType(mapper, policy, n)?.kind === "bypass");
  const variants = [
    ...fromPolicy.flatMap((n) => variantNames(n, policy.datasets.get(n))),
    ...mapHooks.flatMap((n) => variantNames(n, undefined)),
  ];
  return [...new Set([...fromPolicy, ...[...mapHooks, ...bypassOnly].sort(), ...variants])];
}

/**
 * Checks, when a mapper is made, that every composite's assembler/disassembler is a method of the
 * mapper and every component is of a type the mapper knows — so a bad policy fails at startup,
 * not at the first get.
 * @throws PolicyError naming the composite and the missing method or unknown component type
 */
export function checkComposites(mapper: object, policy: MapperPolicy): void {
  for (const dataset of policy.datasets.values()) {
    if (dataset.composite === undefined) continue;
    checkCompositeMethods(mapper, dataset, dataset.composite);
    for (const [name, component] of Object.entries(dataset.composite.components)) {
      if (resolveDatasetType(mapper, policy, component.datasetType) === undefined) {
        throw new PolicyError(`${policy.source}: component "${name}" of composite "${dataset.name}" is of unknown dataset type "${component.datasetType}"`);
      }
    }
  }
}

/**
 * The error for a put of a type that is computed on get (a variant or a bypass-only type): the
 * caller's mistake (a UsageError, 400 on a server), not the policy's.
 */
export function readOnlyError(datasetType: string, base: string): UsageError {
  return new UsageError(`"${datasetType}" is read-only: it is computed from "${base}" on get; put "${base}" instead`);
}

/**
 * Validation of one dataset-type entry of a policy (`exposures.calexp: {template: …}`), with the
 * section's defaults applied.
 *
 * @packageDocumentation
 */
import { PolicyError } from "../errors.js";
import type { CompositeComponent } from "./butler-location.js";
import type { CompositePolicy, DatasetPolicy, PolicySection } from "./policy-types.js";
import { mapping, optionalBoolean, optionalString, requiredString, stringList } from "./policy-values.js";
import { COMPOSITE_STORAGE, PYTHON_BY_STORAGE, SECTION_DEFAULTS, type SectionDefaults } from "./section-defaults.js";
import { parseTemplate } from "../template.js";

/** The entry keys this library interprets; the others are kept in {@link DatasetPolicy.extra}. */
const DATASET_KEYS = new Set([
  "template", "python", "persistable", "storage", "tables", "level", "columns", "reference", "refCols",
  "validRange", "obsTimeName", "validStartName", "validEndName", "filter", "recipe", "composite", "assembler", "disassembler",
]);

/**
 * Validates one entry and applies defaults: the section's, then the storage's `python`; a
 * calibration also gets its own name as table and the validity key names.
 * @param value - the entry as written (null for an entry with no keys)
 * @param source - the policy's source, for messages
 * @throws PolicyError naming `<section>.<name>.<key>`: a missing `template` or `storage`, a
 *   malformed template, a value of the wrong type, or a composite without components
 */
export function datasetPolicy(name: string, section: PolicySection, value: unknown, source: string): DatasetPolicy {
  const where = `${section}.${name}`;
  const entry = mapping(value ?? {}, source, where);
  const composite = entry.composite == null ? undefined : compositePolicy(entry, source, where);
  // A composite is assembled from other types: the section's file defaults do not apply to it.
  const defaults: SectionDefaults = composite === undefined ? SECTION_DEFAULTS[section] : { storage: COMPOSITE_STORAGE, python: "object" };
  const storage = optionalString(entry.storage, source, `${where}.storage`) ?? defaults.storage;
  if (storage === undefined) {
    throw new PolicyError(`${source}: ${where}.storage is missing; the ${section} section has no default storage (e.g. FitsCatalogStorage, JsonStorage)`);
  }
  const template = optionalString(entry.template, source, `${where}.template`);
  const fileless = storage === "Internal" || storage === "ignored" || storage.startsWith("ignored:") || storage === COMPOSITE_STORAGE;
  if (template === undefined && !fileless) throw new PolicyError(`${source}: ${where}.template is missing`);
  if (template !== undefined) {
    try {
      parseTemplate(template);
    } catch (err) {
      throw new PolicyError(`${source}: ${where}.template: ${(err as Error).message}`, { cause: err });
    }
  }
  const python = optionalString(entry.python, source, `${where}.python`) ?? defaults.python ?? PYTHON_BY_STORAGE[storage] ?? "object";
  const policy: DatasetPolicy = {
    name,
    section,
    python,
    persistable: optionalString(entry.persistable, source, `${where}.persistable`) ?? python,
    storage,
    // A calibration's table in calibRegistry.sqlite3 is named after it unless the policy says otherwise.
    tables: stringList(entry.tables, source, `${where}.tables`, section === "calibrations" ? [name] : []),
    columns: stringList(entry.columns, source, `${where}.columns`),
    reference: stringList(entry.reference, source, `${where}.reference`),
    refCols: stringList(entry.refCols, source, `${where}.refCols`),
    validRange: optionalBoolean(entry.validRange, source, `${where}.validRange`) ?? defaults.validRange ?? false,
    filter: optionalBoolean(entry.filter, source, `${where}.filter`) ?? false,
    extra: Object.fromEntries(Object.entries(entry).filter(([k]) => !DATASET_KEYS.has(k))),
  };
  if (template !== undefined) policy.template = template;
  if (composite !== undefined) policy.composite = composite;
  // As obs_base's CalibrationMappingDefaults.yaml: only calibrations get validity defaults.
  const calib = section === "calibrations";
  const names = { obsTimeName: "taiObs", validStartName: "validStart", validEndName: "validEnd" } as const;
  for (const [key, fallback] of Object.entries(names) as Array<[keyof typeof names, string]>) {
    const value = optionalString(entry[key], source, `${where}.${key}`) ?? (calib ? fallback : undefined);
    if (value !== undefined) policy[key] = value;
  }
  const level = optionalString(entry.level, source, `${where}.level`);
  if (level !== undefined) policy.level = level;
  const recipe = optionalString(entry.recipe, source, `${where}.recipe`);
  if (recipe !== undefined) policy.recipe = recipe;
  return policy;
}

/** The `composite` of an entry, with its sibling `assembler`/`disassembler` keys. */
function compositePolicy(entry: Record<string, unknown>, source: string, where: string): CompositePolicy {
  const components: Record<string, CompositeComponent> = {};
  for (const [name, value] of Object.entries(mapping(entry.composite, source, `${where}.composite`))) {
    const at = `${where}.composite.${name}`;
    const spec = mapping(value ?? {}, source, at);
    const component: CompositeComponent = {
      datasetType: requiredString(spec.datasetType, source, `${at}.datasetType`),
      inputOnly: optionalBoolean(spec.inputOnly, source, `${at}.inputOnly`) ?? false,
      subset: optionalBoolean(spec.subset, source, `${at}.subset`) ?? false,
    };
    for (const key of ["setter", "getter"] as const) {
      const v = optionalString(spec[key], source, `${at}.${key}`);
      if (v !== undefined) component[key] = v;
    }
    components[name] = component;
  }
  if (Object.keys(components).length === 0) throw new PolicyError(`${source}: ${where}.composite names no components`);
  const policy: CompositePolicy = { components };
  for (const key of ["assembler", "disassembler"] as const) {
    const v = optionalString(entry[key], source, `${where}.${key}`);
    if (v !== undefined) policy[key] = v;
  }
  return policy;
}

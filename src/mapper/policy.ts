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
import type { CompositeComponent } from "./butler-location.js";
import { parseTemplate } from "./template.js";

/** The policy sections that define dataset types. `images` is Gen2's older name for image mappings. */
export type PolicySection = "exposures" | "images" | "calibrations" | "datasets";

/** The sections, in the order their dataset types are listed. */
export const POLICY_SECTIONS: readonly PolicySection[] = ["exposures", "images", "calibrations", "datasets"];

/** One dataset type of a policy, with section defaults applied. */
export interface DatasetPolicy {
  /** The dataset type name, e.g. `calexp`. */
  name: string;
  section: PolicySection;
  /** The path template; undefined only for `ignored…` / `Internal` storages, which have no file. */
  template?: string;
  /** The in-memory type name, e.g. `Exposure`, `Catalog`, `dict`. */
  python: string;
  persistable: string;
  /** The storage (formatter) name, e.g. `FitsStorage`. */
  storage: string;
  /** Registry tables used to look up missing data-id keys. */
  tables: string[];
  level?: string;
  /** When non-empty, only these data-id keys constrain registry lookups (Gen2's `columns`). */
  columns: string[];
  /** Calibrations: exposure-registry tables to take `refCols` from. */
  reference: string[];
  refCols: string[];
  /** Calibrations: look up by validity range (`obsTimeName BETWEEN validStartName AND validEndName`). */
  validRange: boolean;
  /** The observation-time key; never a lookup constraint. Defaults to `taiObs` for calibrations only. */
  obsTimeName?: string;
  /** Calibrations: validity columns (default `validStart`, `validEnd`). */
  validStartName?: string;
  validEndName?: string;
  /** Calibrations: whether the calibration depends on the filter. */
  filter: boolean;
  /** FITS write recipe name. */
  recipe?: string;
  /** A composite dataset type: built from other dataset types (policy `composite`). */
  composite?: CompositePolicy;
  /** Keys this library does not interpret (e.g. `writeOnce`, a camera's own), kept for subclasses and the Butler. */
  extra: Record<string, unknown>;
}

/**
 * The composite part of a policy entry (Gen2 `ButlerComposite`):
 *
 * ```yaml
 * rawAndFlat:
 *   python: RawAndFlat            # a class registered with registerPythonType, else a plain object
 *   composite:
 *     raw: {datasetType: raw}
 *     flat: {datasetType: flat, inputOnly: true}
 *   assembler: assembleRawAndFlat # a method of the mapper subclass; default: the generic assembler
 * ```
 */
export interface CompositePolicy {
  /** Component name → component. */
  components: Record<string, CompositeComponent>;
  /** Name of a mapper method `(components, dataId) => object`; default: the generic assembler. */
  assembler?: string;
  /** Name of a mapper method `(object, dataId) => components`; default: the generic disassembler. */
  disassembler?: string;
}

/** A validated mapper policy. */
export interface MapperPolicy {
  /** Where it came from (a file path or a label), for messages. */
  source: string;
  camera?: string;
  /** level → the keys that are *not* part of that level (Gen2 `levels`). */
  levels: Record<string, string[]>;
  defaultLevel?: string;
  defaultSubLevels: Record<string, string>;
  needCalibRegistry: boolean;
  registryPath?: string;
  calibRegistryPath?: string;
  /** Dataset types in section order, then definition order. */
  datasets: ReadonlyMap<string, DatasetPolicy>;
  /** The document as written (before defaults), so that {@link mergePolicy} can merge documents. */
  document: Readonly<Record<string, unknown>>;
}

type SectionDefaults = Partial<Pick<DatasetPolicy, "python" | "persistable" | "storage" | "validRange">>;

/**
 * Defaults per section, the small common core of obs_base's `Exposure/Image/Calibration/Dataset
 * MappingDefaults.yaml`: exposures, images and calibrations are FITS images; `datasets` has no
 * default storage (its types are catalogs, configs, pickles …) so each must name one.
 */
export const SECTION_DEFAULTS: Readonly<Record<PolicySection, SectionDefaults>> = {
  exposures: { python: "Exposure", storage: "FitsStorage" },
  images: { python: "Image", storage: "FitsStorage" },
  calibrations: { python: "Exposure", storage: "FitsStorage", validRange: true },
  datasets: {},
};

/** `python` when neither the entry nor its section names one: what each storage naturally reads. */
const PYTHON_BY_STORAGE: Readonly<Record<string, string>> = {
  FitsStorage: "Exposure",
  FitsCatalogStorage: "Catalog",
  ConfigStorage: "Config",
  JsonStorage: "dict",
  YamlStorage: "dict",
  PickleStorage: "object",
};

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
  return policy;
}

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

const DATASET_KEYS = new Set([
  "template", "python", "persistable", "storage", "tables", "level", "columns", "reference", "refCols",
  "validRange", "obsTimeName", "validStartName", "validEndName", "filter", "recipe", "composite", "assembler", "disassembler",
]);

/** The storage name of a composite: it has no file of its own, so no formatter. */
export const COMPOSITE_STORAGE = "Composite";

function datasetPolicy(name: string, section: PolicySection, value: unknown, source: string): DatasetPolicy {
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

function mapping(value: unknown, source: string, where: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new PolicyError(`${source}: ${where} must be a mapping, not ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function optionalString(value: unknown, source: string, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return requiredString(value, source, where);
}

function requiredString(value: unknown, source: string, where: string): string {
  if (typeof value !== "string" || value === "") throw new PolicyError(`${source}: ${where} must be a non-empty string, not ${describe(value)}`);
  return value;
}

function optionalBoolean(value: unknown, source: string, where: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new PolicyError(`${source}: ${where} must be true or false, not ${describe(value)}`);
  return value;
}

/** Gen2 allowed both `tables: raw` and `tables: [raw, raw_visit]`. */
function stringList(value: unknown, source: string, where: string, fallback: string[] = []): string[] {
  if (value === undefined || value === null) return fallback;
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, i) => requiredString(item, source, Array.isArray(value) ? `${where}[${i}]` : where));
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "a mapping" : JSON.stringify(value);
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

/**
 * The dataset types CameraMapper synthesises for every policy type (Gen2 `_initMappings`):
 * `<type>_filename`, and by storage `_md`, `_sub`, `_bbox`, `_wcs`, `_visitInfo`, `_filter`,
 * `_len`, `_schema`. A variant maps like its base type and then says how to read it: a
 * {@link DatasetView} the formatter produces (headers only, or a few rows), or for `_filename` a
 * {@link Bypass} that needs no read at all.
 *
 * @packageDocumentation
 */
import { DataIdError } from "../errors.js";
import { boxProblem, type Box2I } from "../image/box.js";
import type { Bypass, ButlerLocation, DatasetView } from "./butler-location.js";
import type { DatasetPolicy } from "./policy.js";

/** A data id as the mapper accepts it: data-id values plus, for `_sub`, `bbox` and `imageOrigin`. */
export type MapperDataId = Readonly<Record<string, unknown>>;

/** One kind of variant. */
export interface VariantSpec {
  /** The name suffix after `_`, e.g. `md`. */
  readonly suffix: string;
  /** The in-memory type of its value, reported as the location's `pythonType`. */
  readonly pythonType: string;
  /** Whether a base type has it; `undefined` is a type only a `map_<type>` hook defines. */
  appliesTo(base: DatasetPolicy | undefined): boolean;
  /** Data-id keys the variant takes for itself; the rest maps the base type. */
  readonly consumes: readonly string[];
  /** Whether a `std_<base>` hook applies to its value (it is the same kind of object as the base's). */
  readonly standardizedAsBase: boolean;
  /** What it adds to the base's location. */
  finish(dataId: MapperDataId, base: DatasetPolicy | undefined): { additionalData?: Record<string, unknown>; view?: DatasetView; bypass?: Bypass };
}

const isFits = (d: DatasetPolicy | undefined): boolean => d?.storage === "FitsStorage";
const isCatalog = (d: DatasetPolicy | undefined): boolean => d?.storage === "FitsCatalogStorage";
const isExposure = (d: DatasetPolicy | undefined): boolean => isFits(d) && d!.section === "exposures";

/** A header-only view: the formatter reads the headers and computes the value. */
function viewVariant(suffix: string, pythonType: string, appliesTo: (d: DatasetPolicy | undefined) => boolean, view: DatasetView): VariantSpec {
  return { suffix, pythonType, appliesTo, consumes: [], standardizedAsBase: false, finish: () => ({ view }) };
}

/** `_filename`: the dataset's path (its URI on a remote storage), in a list as Gen2 returned its paths. */
const filenameBypass: Bypass = (ctx) => [ctx.filename];

/**
 * The variants, in the order `getDatasetTypes` lists them:
 *
 * | suffix | for | value |
 * |---|---|---|
 * | `filename` | every type with a file | `[uri]` (a list, as Gen2) |
 * | `md` | FitsStorage, FitsCatalogStorage | `Header`: the metadata a full read gives (the table HDU's for catalogs); headers only |
 * | `sub` | FitsStorage | the base's object, only the rows/columns of data-id `bbox` ({@link Box2I}; `imageOrigin` `PARENT` (default, as Gen2) or `LOCAL`) |
 * | `bbox` | FitsStorage | {@link Box2I} of the image in the parent frame; headers only |
 * | `wcs` | FitsStorage exposures | `Wcs` or null; headers only |
 * | `visitInfo` | FitsStorage exposures | `VisitInfo`; headers only |
 * | `filter` | FitsStorage exposures | the `FILTER` card, else the data id's filter, else null |
 * | `len` | FitsCatalogStorage | number of rows; headers only |
 * | `schema` | FitsCatalogStorage | `CatalogSchema`; headers only |
 */
export const VARIANTS: readonly VariantSpec[] = [
  {
    suffix: "filename",
    pythonType: "string[]",
    appliesTo: (d) => d === undefined || d.template !== undefined,
    consumes: [],
    standardizedAsBase: false,
    finish: () => ({ bypass: filenameBypass }),
  },
  {
    suffix: "md",
    pythonType: "Header",
    appliesTo: (d) => isFits(d) || isCatalog(d),
    consumes: [],
    standardizedAsBase: false,
    finish: (_id, base) => ({ view: "header", additionalData: { hdu: isCatalog(base) ? 1 : 0 } }),
  },
  {
    suffix: "sub",
    pythonType: "",
    appliesTo: isFits,
    consumes: ["bbox", "imageOrigin"],
    standardizedAsBase: true,
    finish: (id) => ({ view: "sub", additionalData: subImageData(id) }),
  },
  viewVariant("bbox", "Box2I", isFits, "bbox"),
  viewVariant("wcs", "Wcs", isExposure, "wcs"),
  viewVariant("visitInfo", "VisitInfo", isExposure, "visitInfo"),
  viewVariant("filter", "string", isExposure, "filter"),
  viewVariant("len", "number", isCatalog, "len"),
  viewVariant("schema", "CatalogSchema", isCatalog, "schema"),
];

/** A variant name split into its base type and variant. */
export interface ParsedVariant {
  base: string;
  spec: VariantSpec;
}

/**
 * Splits `<base>_<suffix>` when `<base>` is a known type that has that variant.
 * @param known - the policy entry of a base type, `null` for a type only a `map_` hook defines,
 *   `undefined` for an unknown name
 */
export function parseVariant(datasetType: string, known: (base: string) => DatasetPolicy | null | undefined): ParsedVariant | undefined {
  for (const spec of VARIANTS) {
    if (!datasetType.endsWith(`_${spec.suffix}`)) continue;
    const base = datasetType.slice(0, -spec.suffix.length - 1);
    const policy = known(base);
    if (policy !== undefined && spec.appliesTo(policy ?? undefined)) return { base, spec };
  }
  return undefined;
}

/** The variant names of a base type. */
export function variantNames(base: string, policy: DatasetPolicy | undefined): string[] {
  if (policy?.composite !== undefined) return [];
  return VARIANTS.filter((v) => v.appliesTo(policy)).map((v) => `${base}_${v.suffix}`);
}

/** The data id without the keys a variant takes for itself. */
export function baseDataId(dataId: MapperDataId, spec: VariantSpec): MapperDataId {
  if (spec.consumes.length === 0) return dataId;
  return Object.fromEntries(Object.entries(dataId).filter(([k]) => !spec.consumes.includes(k)));
}

/**
 * Builds a variant's location from its base's: the variant's name and python type (`_sub` keeps
 * the base's), what the variant adds, and never the base's own bypass or composite.
 */
export function variantLocation(datasetType: string, spec: VariantSpec, base: ButlerLocation, basePolicy: DatasetPolicy | undefined, dataId: MapperDataId): ButlerLocation {
  const { additionalData, view, bypass } = spec.finish(dataId, basePolicy);
  const location: ButlerLocation = {
    datasetType,
    storageName: base.storageName,
    pythonType: spec.pythonType === "" ? base.pythonType : spec.pythonType,
    locations: [...base.locations],
    dataId: { ...base.dataId },
    additionalData: { ...base.additionalData, ...additionalData },
  };
  if (view !== undefined) location.view = view;
  if (bypass !== undefined) location.bypass = bypass;
  return location;
}

/** Gen2's `_sub` mapping: the bbox becomes `llcX`, `llcY`, `width`, `height` (+ `imageOrigin`). */
function subImageData(dataId: MapperDataId): Record<string, unknown> {
  const bbox = dataId.bbox;
  if (bbox === undefined) {
    throw new DataIdError('a sub-image needs "bbox" in the data id: {x0, y0, width, height} (makeBox2I), in the parent frame unless imageOrigin is "LOCAL"', "bbox");
  }
  const problem = boxProblem(bbox);
  if (problem !== undefined) throw new DataIdError(`data id "bbox": ${problem}`, "bbox");
  const box = bbox as Box2I;
  const data: Record<string, unknown> = { llcX: box.x0, llcY: box.y0, width: box.width, height: box.height };
  const origin = dataId.imageOrigin;
  if (origin !== undefined) {
    if (origin !== "LOCAL" && origin !== "PARENT") throw new DataIdError(`data id "imageOrigin" must be "LOCAL" or "PARENT", not ${JSON.stringify(origin)}`, "imageOrigin");
    data.imageOrigin = origin;
  }
  return data;
}

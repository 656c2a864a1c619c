/**
 * What a policy entry gets when it does not say: the defaults of its section, the in-memory type
 * its storage naturally reads, and the storage name of composites. They stand in for obs_base's
 * `policy/*MappingDefaults.yaml`.
 *
 * @packageDocumentation
 */
import type { DatasetPolicy, PolicySection } from "./policy-types.js";

/** The keys a section may default. */
export type SectionDefaults = Partial<Pick<DatasetPolicy, "python" | "persistable" | "storage" | "validRange">>;

/**
 * Defaults per section, the small common core of obs_base's
 * `Exposure/Image/Calibration/DatasetMappingDefaults.yaml`: exposures, images and calibrations are FITS images; `datasets` has no
 * default storage (its types are catalogs, configs, pickles …) so each must name one.
 */
export const SECTION_DEFAULTS: Readonly<Record<PolicySection, SectionDefaults>> = {
  exposures: { python: "Exposure", storage: "FitsStorage" },
  images: { python: "Image", storage: "FitsStorage" },
  calibrations: { python: "Exposure", storage: "FitsStorage", validRange: true },
  datasets: {},
};

/** `python` when neither the entry nor its section names one: what each storage naturally reads. */
export const PYTHON_BY_STORAGE: Readonly<Record<string, string>> = {
  FitsStorage: "Exposure",
  FitsCatalogStorage: "Catalog",
  ConfigStorage: "Config",
  JsonStorage: "dict",
  YamlStorage: "dict",
  PickleStorage: "object",
};

/** The storage name of a composite: it has no file of its own, so no formatter. */
export const COMPOSITE_STORAGE = "Composite";

/**
 * The shapes of a validated mapper policy: the whole policy, one dataset type, a composite.
 *
 * @packageDocumentation
 */
import type { CompositeComponent } from "./butler-location.js";
import type { IngestPolicy } from "./ingest-policy.js";

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
  /** How raw files are ingested (the `ingest` section), when the camera says. */
  ingest?: IngestPolicy;
  /** The document as written (before defaults), so that {@link mergePolicy} can merge documents. */
  document: Readonly<Record<string, unknown>>;
}

/**
 * What a mapper returns: where a dataset lives and how to read or write it.
 * @packageDocumentation
 */
import type { DataId } from "../data-id.js";

/**
 * What a bypass gets: the location the repository found (the base dataset's object), so it can
 * compute a value without reading through a formatter — e.g. `_filename` returns the URI, a camera's
 * `bypass_raw_detectorName` builds a name from the data id.
 */
export interface BypassContext {
  /** The location being read. */
  location: ButlerLocation;
  /**
   * Where the base dataset's object is (or would be): a local path when the repository's objects are
   * local files — what Gen2's `open()`-able paths were — else its URI (`swift://…`).
   */
  filename: string;
}

/**
 * A read-only view of a dataset that its formatter produces instead of the whole object, reading
 * only what it needs (headers, a few rows): `header` (`_md`), `sub` (`_sub`, the region in
 * `additionalData`), and the header-only values `bbox`, `wcs`, `visitInfo`, `filter`, `len`, `schema`.
 */
export type DatasetView = "header" | "sub" | "bbox" | "wcs" | "visitInfo" | "filter" | "len" | "schema";

/** Computes a dataset's value instead of reading it through a formatter (Gen2 `bypass_<type>`). */
export type Bypass = (ctx: BypassContext) => Promise<unknown> | unknown;

/** One component of a composite dataset (policy `composite: {name: {datasetType, …}}`). */
export interface CompositeComponent {
  /** The component's own dataset type. */
  datasetType: string;
  /** Read on get but never written by put. */
  inputOnly: boolean;
  /** Name of the setter used by the generic assembler (default `set<Name>` / the property). */
  setter?: string;
  /** Name of the getter used by the generic disassembler (default `get<Name>` / the property). */
  getter?: string;
  /** The component is a list of datasets over a subset (Gen2 `subset: true`). */
  subset: boolean;
}

/**
 * How a composite dataset is assembled from components and taken apart again. The data id is the
 * caller's (it may hold non-scalar values such as a `bbox`).
 */
export interface CompositeSpec {
  /** Component name → component. */
  components: Record<string, CompositeComponent>;
  /**
   * Builds the object from its components (by name; a component that was not found is absent).
   * @throws PolicyError when a setter named in the policy does not exist; whatever a custom assembler throws
   */
  assemble(components: Record<string, unknown>, dataId: Readonly<Record<string, unknown>>): unknown;
  /**
   * Splits the object into components (by name) for put; an `inputOnly` component may be absent.
   * @throws FormatterError when the object lacks a component that put writes
   */
  disassemble(obj: unknown, dataId: Readonly<Record<string, unknown>>): Record<string, unknown>;
}

/**
 * The result of `Mapper.map` (Gen2's `ButlerLocation`), free of any storage: the Repository
 * joins `locations` with its Storage root.
 */
export interface ButlerLocation {
  /** The dataset type that was mapped. */
  datasetType: string;
  /** The storage (formatter) name from the policy, e.g. `FitsStorage`. */
  storageName: string;
  /** The in-memory type name from the policy, e.g. `Exposure`; `Header` for `_md`. */
  pythonType: string;
  /** Storage keys relative to the repository root (one per file; usually one). */
  locations: string[];
  /** The completed data id: what was given plus what the registry supplied. */
  dataId: DataId;
  /**
   * Extra parameters for the formatter (Gen2 seeded it with the data id). `_sub` adds
   * `llcX`, `llcY`, `width`, `height` (and `imageOrigin`); `_md` sets `hdu`.
   */
  additionalData: Record<string, unknown>;
  /** When set, the formatter returns this view of the dataset instead of the whole object. */
  view?: DatasetView;
  /** When set, the repository calls it on get instead of the formatter (after finding `locations`). */
  bypass?: Bypass;
  /** When set, the dataset is assembled from components on get and disassembled on put. */
  composite?: CompositeSpec;
}

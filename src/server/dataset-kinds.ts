/**
 * What the browser page shows of a dataset type, decided from the variants its mapper defines
 * (`Butler.getDatasetTypes`): a type with a `_sub` variant is a FITS image (a preview, a header),
 * one with `_len` a FITS catalog (a table, a header), anything else only a download. The variants
 * themselves (`calexp_md` …) are views of their base type, not types of their own to browse.
 *
 * @packageDocumentation
 */
import { VARIANTS } from "../mapper/index.js";

/** How the page shows a dataset type. */
export type DatasetKind = "image" | "catalog" | "other";

/** A dataset type as the browser lists it. */
export interface BrowsedType {
  name: string;
  kind: DatasetKind;
}

const SUFFIXES = VARIANTS.map((v) => v.suffix);

/**
 * The browsable types among `types` (every name `getDatasetTypes` returns), in the order given,
 * with their kinds. A type with no file of its own (a composite, assembled from other types: it has
 * no `_filename`) has nothing to show or download, and is left out too.
 */
export function browsedTypes(types: readonly string[]): BrowsedType[] {
  const all = new Set(types);
  const isVariant = (name: string) =>
    SUFFIXES.some((suffix) => name.endsWith(`_${suffix}`) && all.has(name.slice(0, -suffix.length - 1)));
  return types.filter((name) => !isVariant(name) && all.has(`${name}_filename`)).map((name) => ({ name, kind: kindOf(name, all) }));
}

/** The kind of `type` given the set of every type name. */
export function kindOf(type: string, all: ReadonlySet<string>): DatasetKind {
  if (all.has(`${type}_sub`)) return "image";
  if (all.has(`${type}_len`)) return "catalog";
  return "other";
}

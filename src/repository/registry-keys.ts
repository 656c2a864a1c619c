/**
 * Where a repository keeps its registries, as keys below its root.
 *
 * @packageDocumentation
 */

/** The name of a repository's registry object. */
export const REGISTRY_KEY = "registry.sqlite3";
/** The name of a repository's calibration registry object. */
export const CALIB_REGISTRY_KEY = "calibRegistry.sqlite3";

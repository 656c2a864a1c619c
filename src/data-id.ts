/**
 * Data ids: the key/value pairs that name a dataset (`{visit: 1, ccd: 0}`).
 * @packageDocumentation
 */

/** A data id value: integers and floats as numbers, everything else as strings. */
export type DataIdValue = string | number;

/** A data id, e.g. `{ visit: 1, ccd: 0, filter: "g" }`. */
export type DataId = Record<string, DataIdValue>;

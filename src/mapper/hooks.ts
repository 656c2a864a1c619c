/**
 * Per-type hook methods of mapper subclasses (Gen2's `map_<type>`, `query_<type>`, `std_<type>`,
 * `bypass_<type>`), found by name.
 *
 * @packageDocumentation
 */

/** The method `<prefix><datasetType>` of an object, when it has one. */
export function findHook<T>(target: object, prefix: string, datasetType: string): T | undefined {
  const candidate = (target as Record<string, unknown>)[`${prefix}${datasetType}`];
  return typeof candidate === "function" ? (candidate as T) : undefined;
}

/** Dataset types named by `<prefix>…` methods defined below `stop` in the prototype chain (subclass hooks). */
export function hookNames(target: object, prefix: string, stop: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(target); proto !== null && proto !== stop; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name.startsWith(prefix) && name.length > prefix.length) names.add(name.slice(prefix.length));
  }
  return [...names];
}

/**
 * Dataset type aliases with Gen2's rules: an alias starts with `@` (optional when defining), no
 * alias may be a prefix of another, and resolution is a plain string replacement, so `@calexp_md`
 * resolves through `@calexp`.
 *
 * @packageDocumentation
 */
import { ConfigError, UnknownDatasetTypeError } from "../errors.js";

/**
 * A Butler's aliases.
 *
 * ```ts
 * aliases.define("@goodSeeing", "deepCoadd");
 * aliases.resolve("@goodSeeing_md");  // "deepCoadd_md"
 * ```
 */
export class DatasetTypeAliases {
  readonly #aliases = new Map<string, string>();

  /**
   * Defines an alias.
   * @throws ConfigError when `@` appears other than first, the alias is empty or already defined,
   *   or it is a prefix of another alias (or another is a prefix of it)
   */
  define(alias: string, datasetType: string): void {
    const name = alias.startsWith("@") ? alias : `@${alias}`;
    if (name.length < 2 || name.indexOf("@", 1) !== -1) {
      throw new ConfigError(`alias "${alias}" is invalid: "@" may appear only as its first character`);
    }
    if (datasetType.includes("@")) throw new ConfigError(`an alias cannot point to another alias ("${datasetType}")`);
    for (const existing of this.#aliases.keys()) {
      if (existing === name) throw new ConfigError(`alias "${name}" is already defined (as "${this.#aliases.get(name)}")`);
      if (existing.startsWith(name) || name.startsWith(existing)) {
        throw new ConfigError(`alias "${name}" and alias "${existing}" would be ambiguous: one is a prefix of the other`);
      }
    }
    this.#aliases.set(name, datasetType);
  }

  /**
   * Replaces every alias in a dataset type name.
   * @throws UnknownDatasetTypeError when an `@` is left that no alias matches
   */
  resolve(datasetType: string): string {
    let resolved = datasetType;
    // longest first, although the prefix rule makes the order irrelevant for defined aliases
    for (const [alias, target] of [...this.#aliases].sort((a, b) => b[0].length - a[0].length)) {
      resolved = resolved.split(alias).join(target);
    }
    if (resolved.includes("@")) throw new UnknownDatasetTypeError(datasetType, [...this.#aliases.keys()]);
    return resolved;
  }

  /** Alias → dataset type, in definition order. */
  entries(): Array<[string, string]> {
    return [...this.#aliases];
  }
}

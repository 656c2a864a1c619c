/**
 * Removes what a client must not learn from messages: the server's paths and the URIs of the
 * storages behind its repositories (which may name hosts, containers, directories).
 *
 * @packageDocumentation
 */
import { fileURLToPath } from "node:url";

/**
 * Replaces known server-side strings with public names, longest first so that a path inside a
 * longer one is replaced as a whole.
 *
 * ```ts
 * const r = new Redactor().add("file:///srv/repos/cam", 'repo "cam"');
 * r.clean('no object at key "x" in file:///srv/repos/cam');  // 'no object at key "x" in repo "cam"'
 * ```
 */
export class Redactor {
  readonly #pairs: Array<[string, string]> = [];

  /**
   * Adds a secret string and what to show instead; for a `file:` URI its path is added too.
   * @returns this, for chaining
   */
  add(secret: string, shown: string): this {
    if (secret === "") return this;
    this.#pairs.push([secret, shown]);
    if (secret.startsWith("file:")) {
      try {
        this.#pairs.push([fileURLToPath(secret), shown]);
      } catch {
        // not a local file URI after all: the URI alone is enough
      }
    }
    this.#pairs.sort((a, b) => b[0].length - a[0].length);
    return this;
  }

  /** The text with every secret replaced. */
  clean(text: string): string {
    let out = text;
    for (const [secret, shown] of this.#pairs) out = out.split(secret).join(shown);
    return out;
  }
}

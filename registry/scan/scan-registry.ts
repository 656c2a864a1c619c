/**
 * The scanning registry (Gen2's `PosixRegistry`, but on any Storage): the fallback for a repository
 * with no registry file, answering lookups from the names of the files its templates wrote.
 *
 * @packageDocumentation
 */
import type { DataId, DataIdValue } from "../../src/data-id.js";
import { ClosedError, RegistryError } from "../../src/errors.js";
import { parseTemplate } from "../../src/template.js";
import type { Storage } from "../../src/storage/storage.js";
import type { RegistryRow, TemplateRegistry } from "../registry.js";
import { templateScanner, type TemplateScanner } from "./template-scanner.js";

/** Compressed copies (`.gz`, `.fz`) name the same dataset as the file they compress. */
const COMPRESSED = /\.(gz|fz)$/;

/**
 * A {@link TemplateRegistry} whose rows are the data ids parsed from stored file names, one set
 * per template. The files are listed up front by {@link ScanRegistry.prepare} (which
 * `CameraMapper.create` calls with every policy template): one `storage.list` per distinct static
 * template prefix; lookups then read memory only.
 *
 * Unlike Gen2, keys that are not in the file name are never read from FITS headers: such a lookup
 * fails with a message saying to give the key in the data id.
 *
 * ```ts
 * const registry = new ScanRegistry(storage);
 * await registry.prepare(["foo-%(ccd)02d-%(filter)s.fits"]);
 * await registry.lookup(["filter"], "foo-%(ccd)02d-%(filter)s.fits", { ccd: 3 });  // [{ filter: "g" }]
 * ```
 */
export class ScanRegistry implements TemplateRegistry {
  /** Answers from file names, per template. */
  readonly kind = "template";
  readonly #storage: Storage;
  readonly #rows = new Map<string, DataId[]>();
  #closed = false;

  /** @param storage - the repository's storage; not owned (close does not close it) */
  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** The templates listed so far. */
  get templates(): string[] {
    return [...this.#rows.keys()];
  }

  /**
   * Lists the files below each template's static prefix and parses their names (again for
   * templates already prepared, so it also refreshes them). Compressed copies (`.gz`, `.fz`) count
   * as the dataset they compress.
   * @throws PolicyError for a malformed template
   * @throws StorageError when the listing fails
   * @throws ClosedError after close
   */
  async prepare(templates: readonly string[]): Promise<void> {
    this.#assertOpen();
    const scanners = [...new Set(templates)].map(templateScanner);
    // A prefix that extends another is covered by the shorter one's listing.
    const prefixes = [...new Set(scanners.map((s) => s.prefix))].sort();
    const listed = prefixes.filter((p, i) => !prefixes.slice(0, i).some((q) => p.startsWith(q)));
    const found = new Map<string, DataId[]>(scanners.map((s) => [s.template, []]));
    for (const prefix of listed) {
      for await (const key of this.#storage.list(prefix === "" ? {} : { prefix })) {
        for (const scanner of scanners) {
          const id = key.startsWith(scanner.prefix) ? parseKey(scanner, key) : undefined;
          if (id !== undefined) found.get(scanner.template)!.push(id);
        }
      }
    }
    for (const [template, ids] of found) this.#rows.set(template, dedupe(ids));
  }

  /**
   * Lists every prepared template again: for a repository written to since {@link ScanRegistry.prepare}.
   * @throws StorageError, ClosedError
   */
  async refresh(): Promise<void> {
    await this.prepare(this.templates);
  }

  /**
   * Records one newly written key without listing (e.g. after a put): it is added to every
   * prepared template it matches.
   * @returns whether it matched a template
   */
  addKey(key: string): boolean {
    this.#assertOpen();
    let matched = false;
    for (const [template, ids] of this.#rows) {
      const id = parseKey(templateScanner(template), key);
      if (id === undefined) continue;
      matched = true;
      if (!ids.some((row) => sameId(row, id))) ids.push(id);
    }
    return matched;
  }

  /**
   * The distinct values of `properties` among the files of `template` whose parsed data id agrees
   * with `dataId` on the template's keys, sorted.
   * @throws RegistryError when the template was not prepared or a property is not one of its keys
   * @throws ClosedError after close
   */
  async lookup(properties: readonly string[], template: string, dataId: Readonly<DataId>): Promise<RegistryRow[]> {
    this.#assertOpen();
    const ids = this.#rows.get(template);
    if (ids === undefined) {
      throw new RegistryError(`the scanning registry has not listed the files of template "${template}"; call prepare() with it first (CameraMapper.create does)`);
    }
    const keys = new Set(parseTemplate(template).keys.keys());
    for (const property of properties) {
      if (!keys.has(property)) {
        throw new RegistryError(`"${property}" is not in the file names of template "${template}", and the scanning registry reads nothing else (no FITS headers)`);
      }
    }
    const constraints = Object.entries(dataId).filter(([k]) => keys.has(k));
    const seen = new Map<string, RegistryRow>();
    for (const id of ids) {
      if (!constraints.every(([k, v]) => sameValue(id[k]!, v))) continue;
      const row: RegistryRow = Object.fromEntries(properties.map((p) => [p, id[p]!]));
      seen.set(JSON.stringify(properties.map((p) => row[p])), row);
    }
    return [...seen.values()].sort((a, b) => compareRows(a, b, properties));
  }

  /** Forgets the listings; the storage stays open (it belongs to the repository). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#rows.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError("the scanning registry");
  }
}

function parseKey(scanner: TemplateScanner, key: string): DataId | undefined {
  return scanner.parse(key) ?? (COMPRESSED.test(key) ? scanner.parse(key.replace(COMPRESSED, "")) : undefined);
}

function dedupe(ids: DataId[]): DataId[] {
  const byText = new Map<string, DataId>();
  for (const id of ids) byText.set(JSON.stringify(Object.entries(id).sort()), id);
  return [...byText.values()];
}

function sameId(a: DataId, b: DataId): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}

/** Data ids given by callers may carry `"3"` for an integer key: compare by text across types. */
function sameValue(a: DataIdValue, b: DataIdValue): boolean {
  return typeof a === typeof b ? a === b : String(a) === String(b);
}

function compareRows(a: RegistryRow, b: RegistryRow, properties: readonly string[]): number {
  for (const p of properties) {
    const [x, y] = [a[p]!, b[p]!];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

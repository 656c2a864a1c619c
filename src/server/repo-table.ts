/**
 * The repositories a server serves, by name: `--repo NAME=URI`, each opened once at start-up
 * through the storage registry (so any scheme works: `file`, `swift`, another skybutler server).
 *
 * @packageDocumentation
 */
import { Butler } from "../butler/butler.js";
import { ConfigError } from "../errors.js";
import { errorFromCode } from "../error-from-code.js";
import { REPOSITORY_CFG_KEY } from "../repository/index.js";
import { storageFromUri, type Storage } from "../storage/index.js";
import type { Redactor } from "./redactor.js";
import type { RepoSpec } from "./repo-spec.js";

/** A served repository. */
export interface RepoEntry {
  /** The public name, the `NAME` of `/api/v1/repos/NAME/…`. */
  readonly name: string;
  /** Its storage (the backend URI stays on the server: see {@link Redactor}). */
  readonly storage: Storage;
  /**
   * The Butler over this repository and its recorded parents, opened on first use (the object
   * routes need none): an output read first (`rw`) on a writable server, an input on a read-only one.
   * @throws NotFoundError (E_NOT_FOUND) when the root holds no repository (no `repositoryCfg.yaml`);
   *   ConfigError when its configuration is wrong
   */
  butler(): Promise<Butler>;
}

export { parseRepoSpec, type RepoSpec } from "./repo-spec.js";

/**
 * The open repositories of a server: each one's storage, and its Butler once a dataset route asks.
 */
export class RepoTable {
  readonly #entries: Map<string, RepoEntry>;
  readonly #butlers: Array<Promise<Butler>>;

  private constructor(entries: Map<string, RepoEntry>, butlers: Array<Promise<Butler>>) {
    this.#entries = entries;
    this.#butlers = butlers;
  }

  /**
   * Opens every repository's storage (creating a missing root unless `readOnly`), and registers its
   * backend URI with the redactor so that no message shows it.
   * @throws ConfigError for a duplicate name; the storage's own error (NotFoundError, AuthError …) when one cannot be opened
   */
  static async open(specs: readonly RepoSpec[], options: { readOnly: boolean; redactor: Redactor }): Promise<RepoTable> {
    const entries = new Map<string, RepoEntry>();
    const butlers: Array<Promise<Butler>> = [];
    try {
      for (const spec of specs) {
        if (entries.has(spec.name)) throw new ConfigError(`repository "${spec.name}" is given twice`);
        const storage = await storageFromUri(spec.uri, { create: !options.readOnly });
        options.redactor.add(storage.uri, `repo "${spec.name}"`).add(spec.uri, `repo "${spec.name}"`);
        let butler: Promise<Butler> | undefined;
        const open = async (): Promise<Butler> => {
          // a root that holds no repository serves objects only; opening an output there would make files
          if (!(await storage.exists(REPOSITORY_CFG_KEY))) {
            throw errorFromCode("E_NOT_FOUND", `repo "${spec.name}" holds objects but no dataset repository (no ${REPOSITORY_CFG_KEY}); use its /objects routes`, { key: REPOSITORY_CFG_KEY });
          }
          const butler = await Butler.create(options.readOnly ? { inputs: storage.uri } : { outputs: { root: storage.uri, mode: "rw" } });
          // its recorded parents are server-side places too: a DatasetNotFoundError lists every root searched
          for (const root of butler.searchPath) if (root !== storage.uri) options.redactor.add(root, `a parent of repo "${spec.name}"`);
          return butler;
        };
        entries.set(spec.name, {
          name: spec.name,
          storage,
          butler: () => {
            if (butler === undefined) {
              const opening = open();
              butler = opening;
              butlers.push(opening);
              // a failed open (no repository there yet) is tried again by the next request
              opening.catch(() => {
                if (butler === opening) butler = undefined;
              });
            }
            return butler;
          },
        });
      }
    } catch (err) {
      await Promise.all([...entries.values()].map((e) => e.storage.close().catch(() => undefined)));
      throw err;
    }
    return new RepoTable(entries, butlers);
  }

  /** The names served, in the order given. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** Whether no repository is served. */
  get empty(): boolean {
    return this.#entries.size === 0;
  }

  /**
   * The repository called `name`.
   * @throws NotFoundError (E_NOT_FOUND) naming the served ones
   */
  get(name: string): RepoEntry {
    const entry = this.#entries.get(name);
    if (entry === undefined) {
      throw errorFromCode("E_NOT_FOUND", `no repository "${name}" on this server; it serves: ${this.names().join(", ") || "none"}`, { key: name });
    }
    return entry;
  }

  /** Closes every Butler and storage. */
  async close(): Promise<void> {
    const butlers = await Promise.allSettled(this.#butlers);
    await Promise.all(butlers.map((b) => (b.status === "fulfilled" ? b.value.close().catch(() => undefined) : undefined)));
    await Promise.all([...this.#entries.values()].map((e) => e.storage.close().catch(() => undefined)));
  }
}

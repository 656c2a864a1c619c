/**
 * What a server needs to run storlets: one runner (limits, concurrency per storlet) and one cache
 * of deployed code, shared by the Swift gateway and skybutler's own object API.
 *
 * @packageDocumentation
 */
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { tempRoot } from "../temp/index.js";
import { CodeCache } from "../storlets/code-cache.js";
import { DEPENDENCY_CONTAINER, STORLET_CONTAINER, type StorletDeployment } from "../storlets/deployment.js";
import type { StorletLimits, StorletCode } from "../storlets/storlet-process.js";
import { StorletRunner } from "../storlets/storlet-runner.js";

/** Storlet settings of a server. */
export interface StorletServiceOptions {
  /** Limits of each run (default 40 s of silence, 512 MiB). */
  limits?: Partial<StorletLimits>;
  /** Runs of one storlet at once (default 5). */
  maxConcurrent?: number;
  /** Extra inputs a request may name (upstream's `max_extra_resources`; default 16). */
  maxExtraResources?: number;
}

/** A deployed object: its version and how to read it. */
export interface DeployedObject {
  /** Changes with the content (an ETag). */
  version: string;
  /** Permission bits (dependencies). */
  mode: number;
  open(): Promise<Readable>;
}

/** The runner and the code cache of a server. */
export class StorletService {
  readonly runner: StorletRunner;
  readonly maxExtraResources: number;
  readonly #cache: CodeCache;

  /** @param options - limits and concurrency */
  constructor(options: StorletServiceOptions = {}) {
    this.runner = new StorletRunner({ ...(options.limits === undefined ? {} : { limits: options.limits }), ...(options.maxConcurrent === undefined ? {} : { maxConcurrent: options.maxConcurrent }) });
    this.maxExtraResources = options.maxExtraResources ?? 16;
    this.#cache = new CodeCache(mkdtempSync(join(tempRoot(), "storlet-code-")));
  }

  /**
   * The code of a deployment, each object fetched into the cache unless its version is there.
   * @param scope - whose deployment (an account URL, a server)
   * @param storlet - the storlet object
   * @param dependency - looks up a dependency by name
   * @throws whatever the lookups and fetches throw
   */
  async code(scope: string, deployment: StorletDeployment, storlet: DeployedObject, dependency: (name: string) => Promise<DeployedObject>): Promise<StorletCode> {
    const path = await this.#cache.file(scope, STORLET_CONTAINER, deployment.name, storlet.version, () => storlet.open());
    const dependencies = await Promise.all(
      deployment.dependencies.map(async (name) => {
        const dep = await dependency(name);
        return { name, path: await this.#cache.file(scope, DEPENDENCY_CONTAINER, name, dep.version, () => dep.open()), mode: dep.mode };
      }),
    );
    return { language: deployment.language, main: deployment.main, storlet: { name: deployment.name, path, mode: 0o400 }, dependencies };
  }

  /** Removes the cached code. */
  close(): Promise<void> {
    return this.#cache.close();
  }
}

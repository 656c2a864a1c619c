/**
 * The Butler's behaviour as one suite of `it()`s, run against an input and outputs on every
 * storage backend (Posix and Swift now): Gen2's repository chaining, aliases, lazy gets, backups,
 * write-once, subset/dataRef, tags; every dataset kind, the variants, calibrations and composites;
 * and the `.gz`/`.fz` compressed copies, read by every variant. Tests go through the Butler API,
 * plus the backend's Storage to look at, or plant, objects by hand.
 *
 * Where a backend behaves differently by design, its fixture declares it (`records`,
 * `relativeParents`) and the suite asserts that behaviour; nothing is skipped.
 *
 * ```ts
 * describeButlerConformance({
 *   name: "Posix",
 *   input: async () => ({ root: pathToFileURL(SAMPLE_REPO).href, cleanup: async () => {} }),
 *   output: async () => { const dir = await mkdtemp(…); return { root: pathToFileURL(join(dir, "repo")).href, cleanup: () => rm(dir, …) }; },
 *   records: true,
 *   relativeParents: true,
 * });
 * ```
 */
import { expect } from "chai";
import { basename } from "node:path";
import { filesBelow } from "./files-below.js";
import { tempRoot } from "../temp/index.js";
import { behaviourTests } from "./butler/behaviour.js";
import { compressedTests } from "./butler/compressed.js";
import { repoArgs, ResourcePool, type ButlerConformanceOptions, type RepoFixture, type SuiteContext } from "./butler/context.js";
import { datasetTests } from "./butler/datasets.js";

export { SAMPLE_REPO, type ButlerConformanceOptions, type RepoFixture, type RepoRoot } from "./butler/context.js";

/**
 * Declares the Butler conformance suite for one backend.
 * @param options - the backend's name, its input and output fixtures and its declared behaviour
 */
export function describeButlerConformance(options: ButlerConformanceOptions): void {
  describe(`Butler conformance: ${options.name}`, function () {
    this.timeout(30_000);
    let input: RepoFixture | undefined;
    let pool: ResourcePool | undefined;
    const ctx: SuiteContext = {
      options,
      get input() {
        if (input === undefined) throw new Error("the suite's input is made in its before hook");
        return input;
      },
      get pool() {
        if (pool === undefined) throw new Error("the test's resources exist only inside a test");
        return pool;
      },
      async rwButler() {
        const out = await ctx.pool.root();
        const butler = await ctx.pool.butler({ inputs: repoArgs(ctx.input), outputs: repoArgs(out, { mode: "rw" }) });
        return { butler, out };
      },
    };

    before(async function () {
      this.timeout(120_000);
      input = await options.input();
    });
    after(async () => {
      await input?.cleanup();
    });
    beforeEach(() => {
      pool = new ResourcePool(options);
    });
    afterEach(async () => {
      await pool?.release();
      pool = undefined;
      // closing every Butler releases every temp file (remote registries are cached outside the temp directory)
      const left = filesBelow(tempRoot());
      expect(left.map((f) => basename(f)), "temp files left after close").to.deep.equal([]);
    });

    describe("repositories (Gen2 behaviour)", () => behaviourTests(ctx));
    describe("datasets, variants, calibrations and composites", () => datasetTests(ctx));
    describe("compressed copies (.gz, .fz)", () => compressedTests(ctx));
  });
}

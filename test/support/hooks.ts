/**
 * Mocha root hooks: every test process gets a private temp base directory, and the run fails if any
 * temp file is left in it at the end — the suite-wide proof that refcounted cleanup works.
 */
import { mkdirSync, rmSync } from "node:fs";
import { filesBelow } from "../../src/testing/files-below.js";
import { tmpdir } from "node:os";
import { join } from "node:path";

const base = join(tmpdir(), `skybutler-tests-${process.pid}`);
mkdirSync(base, { recursive: true });
process.env.SKYBUTLER_TMPDIR = base;

export { filesBelow };

export const mochaHooks = {
  afterAll(): void {
    const left = filesBelow(base);
    rmSync(base, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(`${left.length} temp file(s) survived the test suite:\n  ${left.slice(0, 20).join("\n  ")}`);
    }
  },
};

/**
 * Mocha root hooks: every test process gets a private temp base directory, and the run fails if any
 * temp file is left in it at the end — the suite-wide proof that refcounted cleanup works.
 *
 * The user's directories are never touched: XDG_CACHE_HOME (the registry cache, skybutler:cache's
 * default), XDG_STATE_HOME (module indexes) and XDG_CONFIG_HOME (storage-modules.yaml) point into a
 * directory of this process, inherited by the child processes the tests start, and removed at the
 * end; a local file this process leased from the cache and never released fails the run too.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { filesBelow } from "../../src/testing/files-below.js";
import { tmpdir } from "node:os";
import { join } from "node:path";

const base = join(tmpdir(), `skybutler-tests-${process.pid}`);
mkdirSync(base, { recursive: true });
process.env.SKYBUTLER_TMPDIR = base;

const home = join(tmpdir(), `skybutler-tests-${process.pid}-home`);
for (const [variable, dir] of [["XDG_CACHE_HOME", "cache"], ["XDG_STATE_HOME", "state"], ["XDG_CONFIG_HOME", "config"]] as const) {
  process.env[variable] = join(home, dir);
}

export { filesBelow };

/** Local files of this process still leased from the registry cache. */
function leftLeases(): string[] {
  const leases = join(home, "cache", "skybutler", "registries", "leases");
  if (!existsSync(leases)) return [];
  return readdirSync(leases).filter((name) => name.split(".")[1] === String(process.pid));
}

export const mochaHooks = {
  afterAll(): void {
    const left = filesBelow(base);
    const leased = leftLeases();
    rmSync(base, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(`${left.length} temp file(s) survived the test suite:\n  ${left.slice(0, 20).join("\n  ")}`);
    }
    if (leased.length > 0) throw new Error(`${leased.length} registry cache lease(s) of this process were never released: ${leased.slice(0, 5).join(", ")}`);
  },
};

/**
 * A small registry for the registry and mapper tests: visits 1 (g), 2 (r), 3 (g) with ccds 0–2,
 * and visit 4 (r) with ccd 0 only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildRegistry, type RegistryInputRow } from "../../registry/build-registry.js";
import { SqliteRegistry } from "../../registry/sqlite/sqlite-registry.js";
import { RefCountedFile } from "../../src/temp/index.js";
import { REGISTRY_SAMPLE } from "../../src/testing/registry-conformance.js";

export const FILTERS: Record<number, string> = { 1: "g", 2: "r", 3: "g", 4: "r" };

/** The exposure rows every registry backend loads (the Registry conformance suite's sample). */
export function sampleRows(): RegistryInputRow[] {
  return REGISTRY_SAMPLE.exposures.map((row) => ({ ...row }));
}

/**
 * A temp directory below the OS temp dir (not $SKYBUTLER_TMPDIR, which the suite checks is empty),
 * created in a `before()` and removed in an `after()` of the calling suite — never at load time, so
 * a run that fails while loading files leaves nothing behind.
 */
export function useTempDir(prefix: string): { readonly dir: string } {
  let dir: string | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), `skybutler-${prefix}-`));
  });
  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir(): string {
      if (dir === undefined) throw new Error("the temp dir exists only while the suite runs");
      return dir;
    },
  };
}

/** Opens a registry file through a repository-style (never deleted) lease. */
export function openRegistry(path: string): { registry: SqliteRegistry; file: RefCountedFile } {
  const file = new RefCountedFile(path, { deleteOnZero: false });
  return { registry: SqliteRegistry.open(file.acquire()), file };
}

/** Builds the sample registry in `dir` and opens it. */
export function sampleRegistry(dir: string): { registry: SqliteRegistry; file: RefCountedFile; path: string } {
  const path = join(dir, "registry.sqlite3");
  buildRegistry(path, sampleRows());
  return { ...openRegistry(path), path };
}

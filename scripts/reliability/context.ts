/**
 * What every section gets: the sizes, a seeded generator (a failing run is replayed with
 * `FAULT_SEED`), a work directory, the secret watch, and helpers shared by sections.
 */
import { createHash } from "node:crypto";
import { Repository, TempScope, type StorageOptions } from "../../src/testing/index.js";
import { payload } from "./payload.mjs";
import type { SecretWatch } from "./secrets.js";
import type { Sizes } from "./sizes.js";

/** The run as a section sees it. */
export interface RunContext {
  sizes: Sizes;
  seed: number;
  /** A directory of this run, removed at its end. */
  work: string;
  watch: SecretWatch;
  /** Progress lines (stderr), so that a long run shows where it is. */
  log(line: string): void;
}

export { payload };

/** `sha256:<hex>`, as dataset records write checksums. */
export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/**
 * Opens a repository (its mapper too) outside any Butler, for checking what a run left.
 * @returns the repository and a function that closes it
 */
export async function openRepository(root: string, storageOptions: StorageOptions = {}, mode: "r" | "rw" = "r"): Promise<{ repo: Repository; close(): Promise<void> }> {
  const tempScope = new TempScope();
  const repo = await Repository.open({ root, mode, storageOptions }, { role: "input", tempScope });
  await repo.initMapper();
  return {
    repo,
    close: async () => {
      await repo.close();
      await tempScope.close();
    },
  };
}

/** Whether a parsed JSON object is exactly `payload(w, i, kib)` for the `w`, `i` it names. */
export function isWholePayload(value: unknown, kib: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  const { w, i } = value as { w?: unknown; i?: unknown };
  if (typeof w !== "number" || typeof i !== "number") return false;
  return JSON.stringify(value) === JSON.stringify(payload(w, i, kib));
}

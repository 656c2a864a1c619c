/**
 * Runs the sections of `npm run reliability` in order and gathers their figures; the secrets
 * section comes last, over every text the others produced. Used by main.ts (the command) and by
 * test/reliability/reliability.test.ts (the bounded form inside `npm test`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { faultSeed } from "../../test/support/seeded-random.js";
import type { RunContext } from "./context.js";
import type { Figure } from "./figures.js";
import { SECRETS, SecretWatch } from "./secrets.js";
import type { Sizes } from "./sizes.js";
import { swiftFaults } from "./swift-faults.js";

/** A section: figures from a context. */
type Section = (ctx: RunContext) => Promise<Figure[]>;

/** The sections by name, in run order. */
export const SECTIONS: Record<string, () => Promise<Section>> = {
  swift: async () => swiftFaults,
  crashes: async () => (await import("./crashes.js")).crashes,
  concurrency: async () => (await import("./concurrency.js")).concurrency,
  hostile: async () => (await import("./hostile.js")).hostile,
  fuzzing: async () => (await import("./fuzzing.js")).fuzzing,
  resources: async () => (await import("./resources.js")).resources,
};

/** Options of {@link runReliability}. */
export interface RunOptions {
  /** Only these sections (names of {@link SECTIONS}); default all. */
  only?: string[];
  /** Progress lines; default stderr. */
  log?: (line: string) => void;
}

/**
 * Runs every section (or `only` some) with `sizes`, under the fake secrets of {@link SECRETS} in
 * the environment, and returns their figures plus the secrets row.
 */
export async function runReliability(sizes: Sizes, options: RunOptions = {}): Promise<{ figures: Figure[]; seed: number }> {
  const seed = faultSeed();
  const work = mkdtempSync(join(tmpdir(), "skybutler-reliability-"));
  const watch = new SecretWatch();
  const log = options.log ?? ((line: string) => process.stderr.write(`reliability: ${line}\n`));
  const ctx: RunContext = { sizes, seed, work, watch, log };
  // the fake secrets where a careless code path would pick them up: the usual environment variables
  const saved = { ST_KEY: process.env.ST_KEY, OS_PASSWORD: process.env.OS_PASSWORD, PGPASSWORD: process.env.PGPASSWORD };
  process.env.ST_KEY = SECRETS.swiftKey;
  process.env.OS_PASSWORD = SECRETS.osPassword;
  process.env.PGPASSWORD = SECRETS.pgPassword;
  const figures: Figure[] = [];
  try {
    await watch.capturing(async () => {
      for (const [name, load] of Object.entries(SECTIONS)) {
        if (options.only !== undefined && !options.only.includes(name)) continue;
        const started = Date.now();
        log(`${name}…`);
        figures.push(...(await (await load())(ctx)));
        log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(work, { recursive: true, force: true });
  }
  const leaks = watch.leaks();
  figures.push({
    section: "secrets",
    scenario: "secrets found in errors, log lines and responses",
    value: leaks.length,
    promise: "zero",
    detail: `${Object.keys(SECRETS).length} fake secrets (Swift key, OS password, serve token, PG password, URL password) searched in ${watch.count} texts` + (leaks.length > 0 ? `; found: ${[...new Set(leaks.map((l) => `${l.secret} in ${l.origin}`))].slice(0, 5).join(", ")}` : ""),
  });
  return { figures, seed };
}

/**
 * Concurrency: P writer processes × N puts into one local repository at once, with overlapping
 * data ids (every writer writes the same K visits) and `doBackup`. Afterwards: each dataset
 * readable and whole, each record matching its object, and every acknowledged version found —
 * as the current object or as one of its `~N` backups.
 */
import { join } from "node:path";
import { Butler } from "../../src/testing/index.js";
import { isWholePayload, openRepository, sha256, type RunContext } from "./context.js";
import type { Figure } from "./figures.js";
import { runWriter } from "./writers.js";

const KIB = 4;
const SECTION = "concurrency";

/** Runs the section. */
export async function concurrency(ctx: RunContext): Promise<Figure[]> {
  const { writers, putsPerWriter } = ctx.sizes;
  const shared = Math.max(10, Math.round((writers * putsPerWriter) / 80)); // ~80 versions of a visit at most
  const root = join(ctx.work, "concurrency");
  await (await Butler.create({ outputs: { root, mapper: "testcam" } })).close();
  const started = Date.now();
  const runs = await Promise.all(Array.from({ length: writers }, (_, w) => runWriter({ root, w, count: putsPerWriter, kib: KIB, shared, doBackup: true }, ctx.watch)));
  const seconds = (Date.now() - started) / 1000;
  const failedWriters = runs.filter((r) => r.code !== 0).length;

  let unreadable = 0;
  let inconsistent = 0;
  const found = new Set<string>();
  const { repo, close } = await openRepository(root);
  try {
    for (let visit = 1; visit <= shared; visit++) {
      const key = `json/v${visit}.json`;
      const record = await repo.records!.get("jsonThing", { visit });
      try {
        const bytes = await repo.storage.read(key);
        const value = JSON.parse(bytes.toString("utf8")) as { w: number; i: number };
        if (!isWholePayload(value, KIB)) throw new Error("not whole");
        found.add(`${value.w}.${value.i}`);
        if (record === undefined || record.key !== key || record.size !== bytes.length || record.checksum !== sha256(bytes)) inconsistent++;
      } catch {
        unreadable++;
      }
    }
    for await (const key of repo.storage.list({ prefix: "json/" })) {
      if (!key.includes("~")) continue;
      try {
        const value = JSON.parse((await repo.storage.read(key)).toString("utf8")) as { w: number; i: number };
        if (isWholePayload(value, KIB)) found.add(`${value.w}.${value.i}`);
      } catch {
        // a torn backup counts as a lost version below
      }
    }
  } finally {
    await close();
  }
  let acked = 0;
  let lost = 0;
  runs.forEach((run, w) => {
    for (const [, i] of run.acks) {
      acked++;
      if (!found.has(`${w}.${i}`)) lost++;
    }
  });
  const how = `${writers} processes × ${putsPerWriter} doBackup puts over ${shared} shared data ids, ${acked} acknowledged in ${seconds.toFixed(0)} s`;
  return [
    { section: SECTION, scenario: "writers failing", value: failedWriters, promise: "zero", detail: how },
    { section: SECTION, scenario: "datasets unreadable after acknowledged puts", value: unreadable, promise: "zero", detail: `${shared} datasets` },
    { section: SECTION, scenario: "records inconsistent with their object", value: inconsistent, promise: "zero" },
    { section: SECTION, scenario: "acknowledged versions lost (neither current nor a backup)", value: lost, promise: "zero", detail: `of ${acked}` },
  ];
}

/**
 * `npm run bench:butler`: the Butler's queries and partial reads, each against a peer measured in
 * the same run.
 *
 * 1. `subset` over 100,000 registered datasets vs listing and parsing 100,000 files (what Gen2 had
 *    to do: outputs were not registered) and vs the bare sqlite query underneath.
 * 2. `get` of a 64×64 `calexp_sub` of a 4096×4096 exposure vs a full `get` of the same exposure.
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { Butler, DatasetRecords, Exposure, Header, MaskedImage } from "../src/testing/index.js";
import { benchWorkDir, medianSeconds, printRow } from "./timing.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const N = Number(process.env.BENCH_DATASETS ?? 100_000);
const work = await benchWorkDir("bench-butler");
const sampleRepo = fileURLToPath(new URL("../data/testcam-repo", import.meta.url));

try {
  console.log(`skybutler butler bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, median of ${RUNS} runs\n`);
  const out = join(work, "rerun");
  (await Butler.create({ inputs: sampleRepo, outputs: out }).then((b) => b.close()));

  // 1. subset over N registered datasets (records written directly: the files' content is irrelevant)
  const records = DatasetRecords.open(join(out, "datasets.sqlite3"));
  const files = join(work, "gen2-like", "json");
  await mkdir(files, { recursive: true });
  for (let i = 0; i < N; i++) {
    records.record({ datasetType: "jsonThing", dataId: { visit: 1000 + i }, key: `json/v${1000 + i}.json`, size: 2, checksum: "sha256:0" });
    await writeFile(join(files, `v${1000 + i}.json`), "{}");
  }
  records.close();
  const butler = await Butler.create({ outputs: { root: out, mode: "rw" } });
  try {
    let count = 0;
    const subsetT = await medianSeconds(RUNS, async () => {
      count = (await butler.subset("jsonThing", undefined, {})).length;
    });
    const globT = await medianSeconds(RUNS, async () => {
      const ids = (await readdir(files)).map((n) => /^v(\d+)\.json$/.exec(n)).filter(Boolean).map((m) => ({ visit: Number(m![1]) }));
      if (ids.length !== N) throw new Error("glob peer miscounted");
    });
    const db = new Database(join(out, "datasets.sqlite3"), { readonly: true });
    const sqlT = await medianSeconds(RUNS, async () => {
      db.prepare("SELECT dataId FROM dataset WHERE datasetType = ?").all("jsonThing");
    });
    db.close();
    console.log(`subset found ${count} data refs (${N} registered + the registry's visits)`);
    printRow(`subset over ${N} registered datasets`, subsetT, "readdir+parse of the files", globT);
    printRow(`subset over ${N} registered datasets`, subsetT, "bare sqlite SELECT", sqlT);

    // 2. _sub of a 64×64 region vs a full get
    const SIZE = 4096;
    const mi = MaskedImage.create(SIZE, SIZE);
    for (let i = 0; i < mi.image.data.length; i += 4097) mi.image.data[i] = i;
    await butler.put(new Exposure(mi, Header.fromObject({ VISIT: 1 })), "calexp", { visit: 1, ccd: 0 });
    const fullT = await medianSeconds(RUNS, () => butler.get("calexp", { visit: 1, ccd: 0 }));
    const bbox = { x0: 2000, y0: 1000, width: 64, height: 64 };
    const subT = await medianSeconds(RUNS, () => butler.get("calexp_sub", { visit: 1, ccd: 0, bbox }));
    printRow("get calexp_sub 64×64 of 4096²", subT, "full get of the calexp", fullT);
  } finally {
    await butler.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

/**
 * `npm run bench:records`: what the put intent costs (issue 15). A put into a local output records
 * its dataset in `datasets.sqlite3` around the file's rename; one that replaces a recorded object
 * first commits an intent in a transaction of its own (so `fsck --repair` can repair a kill between
 * the rename and the record) — these do: 50 keys, each replaced again and again. (A put of a new
 * object needs no intent: one transaction, as the peer.)
 *
 * 1. `DatasetRecords.record` with a rename (intent + record transaction) vs the former single
 *    transaction (record + rename), run on the same kind of file with the same pragmas.
 * 2. A whole small `butler.put` (JSON, durable: fsync of the file and its directory), for scale.
 */
import { rm, writeFile } from "node:fs/promises";
import { renameSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { Butler, DatasetRecords, canonicalDataId } from "../src/testing/index.js";
import { benchWorkDir, medianSeconds, printRow } from "./timing.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const N = Number(process.env.BENCH_PUTS ?? 500);
const work = await benchWorkDir("bench-records");
const sampleRepo = fileURLToPath(new URL("../data/testcam-repo", import.meta.url));

/** N renames of small files, each inside `recordOne` (which must call the rename synchronously). */
async function renames(dir: string, recordOne: (i: number, publish: () => void) => void): Promise<void> {
  for (let i = 0; i < N; i++) {
    const temp = join(dir, `.t${i}.tmp`);
    await writeFile(temp, "{}");
    recordOne(i, () => renameSync(temp, join(dir, `v${i % 50}.json`)));
  }
}

try {
  console.log(`skybutler records bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, median of ${RUNS} runs of ${N} records\n`);
  // 1. the product's record (intent first) vs the former single transaction
  const records = DatasetRecords.open(join(work, "ours.sqlite3"));
  const oursT = await medianSeconds(RUNS, () =>
    renames(work, (i, publish) => records.record({ datasetType: "jsonThing", dataId: { visit: i % 50 }, key: `json/v${i % 50}.json`, size: 2, checksum: "sha256:0" }, publish)),
  );
  records.close();
  const db = new Database(join(work, "peer.sqlite3"));
  db.pragma("busy_timeout = 30000");
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE dataset (datasetType TEXT NOT NULL, dataId TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL, checksum TEXT NOT NULL, created TEXT NOT NULL, PRIMARY KEY (datasetType, dataId)) WITHOUT ROWID");
  const upsert = db.prepare("INSERT OR REPLACE INTO dataset (datasetType, dataId, key, size, checksum, created) VALUES (?, ?, ?, ?, ?, ?)");
  const peerT = await medianSeconds(RUNS, () =>
    renames(work, (i, publish) =>
      db
        .transaction(() => {
          upsert.run("jsonThing", canonicalDataId({ visit: i % 50 }), `json/v${i % 50}.json`, 2, "sha256:0", new Date().toISOString());
          publish();
        })
        .immediate(),
    ),
  );
  db.close();
  printRow(`${N} records around renames, with intent`, oursT, "one transaction (before)", peerT);
  console.log(`  per put: ${((oursT / N) * 1e6).toFixed(1)} µs with the intent, ${((peerT / N) * 1e6).toFixed(1)} µs before (+${(((oursT - peerT) / N) * 1e6).toFixed(1)} µs)`);

  // 2. whole puts, for scale
  const out = join(work, "rerun");
  const butler = await Butler.create({ inputs: sampleRepo, outputs: out });
  try {
    let n = 0;
    const putT = await medianSeconds(RUNS, async () => {
      for (let i = 0; i < 50; i++) await butler.put({ n: n++ }, "jsonThing", { visit: i });
    });
    console.log(`  a whole small durable put: ${((putT / 50) * 1e3).toFixed(2)} ms (so the intent adds ${((((oursT - peerT) / N) * 100) / (putT / 50)).toFixed(2)} % to it)`);
  } finally {
    await butler.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

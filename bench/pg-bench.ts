/**
 * `npm run bench:pg`: shared repositories, each figure against a peer measured in the same run, on
 * a real Swift and a real PostgreSQL started for the run (test/support's servers, 127.0.0.1).
 *
 * 1. Put throughput with 1, 2, 4, 8, 16 writer processes into one Swift output whose records are
 *    in PostgreSQL, against linear scaling of the 1-writer rate (target ≥ 0.8× until the servers
 *    saturate; the saturation point is printed).
 * 2. `queryMetadata` and `subset` over a 1,000,000-row registry and 1,000,000 dataset records on
 *    PostgreSQL against the same repository on sqlite (the PostgreSQL copy is made by
 *    `registry migrate`, whose time is printed too).
 * 3. A missing-key lookup (the filter of a visit, asked once per ccd as a pipeline asks it) on the
 *    1,000,000-row sqlite registry against the raw prepared query (target ≤ 1.0×).
 *
 * BENCH_ROWS (default 1,000,000), BENCH_PUTS (puts per writer, default 60), BENCH_RUNS (default 5).
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import {
  Butler,
  DatasetRecords,
  RefCountedFile,
  SqliteRegistry,
  buildRegistry,
  formatPgConfig,
  migrateRegistry,
  writeRepositoryCfg,
  PosixStorage,
  type RegistryInputRow,
} from "../src/testing/index.js";
import { SwiftStorage } from "../src/storage/swift/swift-storage.js";
import { ensureBuilt } from "../test/support/cli.js";
import { pgServer, stopPg, uniqueSchema, psql } from "../test/support/pg-server.js";
import { uniqueContainer } from "../test/support/swift-admin.js";
import { stopSwift, swiftServer } from "../test/support/swift-server.js";
import { benchWorkDir, medianSeconds, printRow } from "./timing.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const PUTS = Number(process.env.BENCH_PUTS ?? 60);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CCDS = 10;
const FILTERS = ["g", "r", "i", "z", "y"];
const WRITER = fileURLToPath(new URL("../test/support/pg-writer.mjs", import.meta.url));
const work = await benchWorkDir("bench-pg");

/** Runs `n` writers of `PUTS` puts each, started at once; seconds from the start signal to the last "done". */
async function putRun(n: number, firstWriter: number, root: string, authUrl: string, env: NodeJS.ProcessEnv): Promise<number> {
  const children = Array.from({ length: n }, (_, j) => spawn(process.execPath, [WRITER, root, authUrl, String(firstWriter + j), String(PUTS), "wait"], { env, stdio: ["pipe", "pipe", "inherit"] }));
  const lines = children.map((child) => {
    let buffered = "";
    const waiters: Array<{ line: string; resolve: () => void }> = [];
    child.stdout!.on("data", (d: Buffer) => {
      buffered += d.toString();
      for (const w of [...waiters]) {
        if (!buffered.includes(`${w.line}\n`)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
    return (line: string) => new Promise<void>((resolve, reject) => {
      if (buffered.includes(`${line}\n`)) return resolve();
      waiters.push({ line, resolve });
      child.once("exit", (code) => (code === 0 ? undefined : reject(new Error(`writer exited with ${code}`))));
    });
  });
  await Promise.all(lines.map((wait) => wait("ready")));
  const start = process.hrtime.bigint();
  for (const child of children) child.stdin!.end("go\n");
  await Promise.all(lines.map((wait) => wait("done")));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)))));
  return seconds;
}

/** The exposure rows of the big registry: ROWS/CCDS visits × CCDS ccds. */
function* bigRows(): Generator<RegistryInputRow> {
  for (let visit = 0; visit < ROWS / CCDS; visit++) {
    for (let ccd = 0; ccd < CCDS; ccd++) {
      yield { visit, ccd, filter: FILTERS[visit % FILTERS.length]!, expTime: 30, taiObs: new Date(Date.UTC(2026, 0, 1) + visit * 60_000).toISOString().slice(0, 19) };
    }
  }
}

const fmtRate = (r: number) => `${r.toFixed(1)}/s`;

try {
  console.log(`skybutler bench:pg — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${ROWS.toLocaleString("en")} rows/records, median of ${RUNS} runs\n`);
  ensureBuilt();
  const [swift, pg] = await Promise.all([swiftServer(), pgServer()]);
  const pgVersion = (await psql(pg, "SHOW server_version")).trim();
  console.log(`PostgreSQL ${pgVersion} (fsync off, test settings) and OpenStack Swift (SAIO) on 127.0.0.1\n`);

  // 1. put throughput by number of writers
  {
    const schema = uniqueSchema("bench_puts");
    const root = `swift://${uniqueContainer("benchputs")}/repo`;
    const credentials = { authUrl: swift.authUrl, user: swift.user, key: swift.key };
    await (await Butler.create({ outputs: { root, mapper: "testcam", storageOptions: credentials } })).close();
    const storage = await SwiftStorage.open(root, credentials);
    await storage.write("registry.pgsql", formatPgConfig({ host: "127.0.0.1", port: pg.port, database: pg.database, user: pg.user, schema, passfile: pg.passfile, maxConnections: 2 }));
    await storage.close();
    const env = { ...process.env, ST_USER: swift.user, ST_KEY: swift.key, SKYBUTLER_TMPDIR: join(work, "writer-tmp") };
    mkdirSync(env.SKYBUTLER_TMPDIR, { recursive: true });
    console.log(`1. put throughput: small JSON datasets (≤ 10 KB) into one Swift output, records in PostgreSQL; ${PUTS} puts per writer`);
    let writer = 0;
    await putRun(2, (writer += 2) - 2, root, swift.authUrl, env); // warm-up: container, schema, caches
    let single = 0;
    let saturated: number | undefined;
    let best = 0;
    for (const n of [1, 2, 4, 8, 16]) {
      const seconds = await putRun(n, writer, root, swift.authUrl, env);
      writer += n;
      const rate = (n * PUTS) / seconds;
      if (n === 1) single = rate;
      const linear = rate / (single * n);
      best = Math.max(best, rate);
      if (saturated === undefined && linear < 0.8) saturated = n;
      console.log(`   ${String(n).padStart(2)} writer(s): ${fmtRate(rate).padStart(9)}   linear ${fmtRate(single * n).padStart(9)}   ratio ${linear.toFixed(2)}× of linear`);
    }
    console.log(
      saturated === undefined
        ? `   no saturation up to 16 writers (≥ 0.8× linear throughout)\n`
        : `   saturates at ${saturated} writers (below 0.8× linear from there; best ${fmtRate(best)}); the machine has ${(await import("node:os")).availableParallelism()} cores for the servers and writers together\n`,
    );
  }

  // 2. queryMetadata and subset on 1,000,000 rows and records: PostgreSQL vs sqlite
  const sqliteRepo = join(work, "sqlite-repo");
  const pgRepo = join(work, "pg-repo");
  mkdirSync(sqliteRepo);
  {
    let t = Date.now();
    buildRegistry(join(sqliteRepo, "registry.sqlite3"), [...bigRows()]);
    const storage = await PosixStorage.open(sqliteRepo);
    await writeRepositoryCfg(storage, { mapper: "testcam", mapperArgs: {}, parents: [], policy: null });
    await storage.close();
    // one calexp record per row, written straight into datasets.sqlite3 (the schema DatasetRecords makes)
    DatasetRecords.open(join(sqliteRepo, "datasets.sqlite3")).close();
    const db = new Database(join(sqliteRepo, "datasets.sqlite3"));
    const insert = db.prepare("INSERT INTO dataset (datasetType, dataId, key, size, checksum, created) VALUES ('calexp', ?, ?, 1000, ?, ?)");
    const created = new Date().toISOString();
    db.transaction(() => {
      for (const row of bigRows()) {
        const dataId = JSON.stringify({ ccd: row.ccd, filter: row.filter, visit: row.visit });
        insert.run(dataId, `calexp/v${row.visit}_f${row.filter}_c${String(row.ccd).padStart(2, "0")}.fits`, `sha256:${"0".repeat(64)}`, created);
      }
    })();
    db.close();
    console.log(`2. a repository of ${ROWS.toLocaleString("en")} registry rows and ${ROWS.toLocaleString("en")} calexp records: built on sqlite in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    cpSync(sqliteRepo, pgRepo, { recursive: true });
    t = Date.now();
    const schema = uniqueSchema("bench_big");
    const result = await migrateRegistry(pgRepo, { to: `postgresql://${pg.user}@127.0.0.1:${pg.port}/${pg.database}?schema=${schema}`, passfile: pg.passfile });
    console.log(`   registry migrate to PostgreSQL: ${result.tables.raw?.toLocaleString("en")} + ${result.tables.raw_visit?.toLocaleString("en")} rows, ${result.records.toLocaleString("en")} records in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    await psql(pg, `ANALYZE`, pg.database);
  }
  {
    // every timed run opens fresh Butlers (untimed), so neither side answers from a warm answer cache
    const coldSeconds = async (root: string, fn: (b: Butler) => Promise<unknown>): Promise<number> => {
      const times: number[] = [];
      for (let r = 0; r <= RUNS; r++) {
        const butler = await Butler.create({ inputs: root });
        try {
          const start = process.hrtime.bigint();
          await fn(butler);
          if (r > 0) times.push(Number(process.hrtime.bigint() - start) / 1e9); // the first run warms the servers' and OS caches
        } finally {
          await butler.close();
        }
      }
      return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    };
    const visits = (n: number) => Array.from({ length: n }, (_, i) => (i * 7919) % (ROWS / CCDS));
    const cases: Array<[string, (b: Butler) => Promise<unknown>]> = [
      ["queryMetadata: ccds of 200 visits", async (b) => { for (const visit of visits(200)) await b.queryMetadata("raw", ["ccd"], { visit }); }],
      ["queryMetadata: visits of filter g (20% of rows)", (b) => b.queryMetadata("raw", ["visit"], { filter: "g" })],
      ["subset: calexp of 20 visits (registry+records)", async (b) => { for (const visit of visits(20)) await b.subset("calexp", undefined, { visit }); }],
      [`subset: calexp of filter r (${(ROWS / 5).toLocaleString("en")} refs)`, (b) => b.subset("calexp", undefined, { filter: "r" })],
    ];
    for (const [what, fn] of cases) {
      const size = (x: unknown) => (x as { length?: number } | undefined)?.length;
      const answer = async (root: string) => {
        const butler = await Butler.create({ inputs: root });
        try {
          return size(await fn(butler));
        } finally {
          await butler.close();
        }
      };
      const [a, b] = [await answer(pgRepo), await answer(sqliteRepo)];
      if (a !== b) throw new Error(`${what}: PostgreSQL and sqlite answer differently (${a} vs ${b})`);
      printRow(`   ${what}`, await coldSeconds(pgRepo, fn), "the same on sqlite", await coldSeconds(sqliteRepo, fn));
    }
  }

  // 3. a missing-key lookup on the 1,000,000-row sqlite registry vs the raw prepared query
  {
    const path = join(sqliteRepo, "registry.sqlite3");
    const raw = new Database(path, { readonly: true });
    const statement = raw.prepare('SELECT DISTINCT "filter" FROM "raw_visit" WHERE "visit" = ? ORDER BY "filter"');
    try {
      console.log(`\n3. missing-key lookup (filter of a visit) on the ${ROWS.toLocaleString("en")}-row sqlite registry, a fresh registry per run`);
      const perCcd = Array.from({ length: 2000 }, (_, i) => (i * 7919) % (ROWS / CCDS)).flatMap((v) => Array<number>(CCDS).fill(v));
      const distinct = Array.from({ length: 20_000 }, (_, i) => (i * 104729) % (ROWS / CCDS));
      for (const [what, sequence] of [["asked once per ccd (2,000 visits × 10)", perCcd], [`every visit different (${new Set(distinct).size.toLocaleString("en")})`, distinct]] as const) {
        const times: number[] = [];
        for (let r = 0; r <= RUNS; r++) {
          const registry = SqliteRegistry.open(new RefCountedFile(path, { deleteOnZero: false }).acquire());
          try {
            const start = process.hrtime.bigint();
            for (const visit of sequence) await registry.lookup(["filter"], ["raw_visit"], { visit });
            if (r > 0) times.push(Number(process.hrtime.bigint() - start) / 1e9);
          } finally {
            await registry.close();
          }
        }
        const ours = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
        const peer = await medianSeconds(RUNS, async () => {
          for (const visit of sequence) statement.all(visit);
        });
        printRow(`   ${what}`, ours, "raw prepared statement", peer);
      }
    } finally {
      raw.close();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  await stopSwift();
  await stopPg();
}

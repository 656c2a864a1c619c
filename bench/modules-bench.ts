/**
 * `npm run bench:modules`: the storage-module wrappers and S3, each against a peer measured in
 * the same run.
 *
 * 1. 256 MiB written (writeStream) and read back (readStream) through each built-in wrapper over
 *    PosixStorage vs bare PosixStorage on the same disk: throughput ratios (targets: encrypt
 *    ≥ 0.7×, checksum ≥ 0.8×). The mirror writes two copies; the cache's read is a cache hit.
 * 2. skybutler:dedup on the sample repository (data/testcam-repo) with its calibrations ingested
 *    again for ten more nights, as a calibration archive does: logical bytes / stored bytes.
 * 3. S3Storage (SigV4, Content-MD5) vs `swift upload` / `swift download` of the same 256 MiB on
 *    the same Swift server (the s3api middleware and the Swift API of one proxy).
 *
 * BENCH_RUNS (default 5) sets the runs per median; BENCH_WRAPPERS=checksum,encrypt runs part 1 for
 * those wrappers only (default: all six); BENCH_PARTS=1 runs part 1 only (default 1,2,3). Every write is durable (PosixStorage fsyncs
 * before its rename), so the figures follow the disk and whatever else uses it: compare ratios.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { storageFromUri, type Storage } from "../src/testing/index.js";
import { S3Storage } from "../src/storage/s3/s3-storage.js";
import { stopSwift, swiftServer } from "../test/support/swift-server.js";
import { benchWorkDir, medianSeconds, recordRow } from "./timing.js";


const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MiB = 1024 * 1024;
const BIG = 256 * MiB;
const work = await benchWorkDir("bench-modules");
const sample = fileURLToPath(new URL("../data/testcam-repo", import.meta.url));
const block = randomBytes(16 * MiB);

async function* bigSource(): AsyncGenerator<Uint8Array> {
  for (let left = BIG; left > 0; left -= block.length) yield block;
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream);
}

const mbps = (seconds: number): string => `${(BIG / seconds / 1e6).toFixed(0)} MB/s`.padStart(9);

function row(what: string, ours: number, peer: number): void {
  recordRow(`${what} (256 MiB)`, ours, "bare PosixStorage", peer);
  console.log(`${what.padEnd(34)} ${mbps(ours)}   bare Posix ${mbps(peer)}   throughput ratio ${(peer / ours).toFixed(2)}×`);
}

try {
  console.log(`skybutler modules bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, median of ${RUNS} runs\n`);
  const base = pathToFileURL(join(work, "disk")).href;
  const keyFile = join(work, "key.hex");
  await writeFile(keyFile, randomBytes(32).toString("hex"), { mode: 0o600 });
  const modules = {
    checksum: { module: "skybutler:checksum", args: { over: `${base}/checksum` } },
    encrypt: { module: "skybutler:encrypt", args: { over: `${base}/encrypt`, keyFile } },
    dedup: { module: "skybutler:dedup", args: { over: `${base}/dedup` } },
    mirror: { module: "skybutler:mirror", args: { over: [`${base}/mirror-a`, `${base}/mirror-b`] } },
    cache: { module: "skybutler:cache", args: { over: `${base}/cache-remote`, dir: join(work, "cache"), maxBytes: 2 * BIG } },
    "encrypt-checksum": { module: "skybutler:encrypt", args: { over: "checksum://", keyFile } },
    calibs: { module: "skybutler:dedup", args: { over: `${base}/calibs` } },
  };
  process.env.SKYBUTLER_STORAGE_MODULES = join(work, "storage-modules.yaml");
  process.env.XDG_STATE_HOME = join(work, "state");
  await writeFile(process.env.SKYBUTLER_STORAGE_MODULES, stringify(modules));

  const parts = (process.env.BENCH_PARTS ?? "1,2,3").split(",");
  // 1. each wrapper vs bare Posix, 256 MiB
  console.log("256 MiB through each wrapper over PosixStorage (higher ratio is better; 1.00× = as fast as bare Posix)");
  const bare = await storageFromUri(`${base}/bare`, { create: true });
  const writeOnce = (s: Storage) => async () => {
    await s.delete("big").catch(() => undefined);
    await s.writeStream("big", bigSource());
  };
  const readOnce = (s: Storage) => async () => drain(await s.readStream("big"));
  const timed = async (fn: () => Promise<unknown>): Promise<number> => {
    const start = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const wrappers = ["checksum", "encrypt", "encrypt-checksum", "dedup", "mirror", "cache"];
  const only = (process.env.BENCH_WRAPPERS ?? "").split(",").filter((w) => w !== "");
  for (const name of parts.includes("1") ? wrappers.filter((w) => only.length === 0 || only.includes(w)) : []) {
    const wrapped = await storageFromUri(`${name}://bench`, { create: true });
    // interleaved runs: the disk is shared (writeback, other jobs), so each wrapper run has a bare
    // run right before it in the same conditions; one warm-up pair first
    const t = { bareWrite: [] as number[], write: [] as number[], bareRead: [] as number[], read: [] as number[] };
    for (let i = 0; i <= RUNS; i++) {
      const bw = await timed(writeOnce(bare));
      const w = await timed(writeOnce(wrapped));
      const br = await timed(readOnce(bare));
      if (name === "cache") await readOnce(wrapped)(); // the first read after a write fills the cache
      const r = await timed(readOnce(wrapped));
      if (i === 0) continue;
      t.bareWrite.push(bw);
      t.write.push(w);
      t.bareRead.push(br);
      t.read.push(r);
    }
    row(`${name} write`, median(t.write), median(t.bareWrite));
    row(`${name} read${name === "cache" ? " (hit)" : ""}`, median(t.read), median(t.bareRead));
    await wrapped.delete("big");
    await wrapped.close();
  }
  await bare.close();

  // 2. dedup ratio on a repository with repeated calibrations
  if (parts.includes("2")) {
    console.log("\nskybutler:dedup on data/testcam-repo with its calibrations ingested for 10 more nights");
    const calibs = await storageFromUri("calibs://repo", { create: true });
    const files = (await readdir(sample, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    for (const file of files) await calibs.putLocalFile(file, relative(sample, file));
    for (let night = 0; night < 10; night++) {
      for (const file of files.filter((f) => /\/(bias|flat)\//.test(f))) {
        const key = relative(sample, file).replace(/\/2026-\d\d-\d\d\//, `/2026-04-${String(night + 1).padStart(2, "0")}/`);
        await calibs.write(key, await readFile(file));
      }
    }
    const stats = await calibs.statistics({ count: true });
    const dedup = stats.dedup as { blobs: number; storedBytes: number; ratio: number };
    console.log(`${stats.objects} keys, ${(stats.bytes! / 1e6).toFixed(2)} MB logical, ${dedup.blobs} blobs, ${(dedup.storedBytes / 1e6).toFixed(2)} MB stored: dedup ratio ${dedup.ratio.toFixed(2)}×`);
    await calibs.close();
  }

  // 3. S3 vs swift upload / download on the same server
  if (parts.includes("3")) {
    console.log("\n256 MiB on one Swift server: S3Storage (s3api) vs python-swiftclient (Swift API)");
    const server = await swiftServer();
    const file = join(work, "big.bin");
    await pipeline(bigSource(), createWriteStream(file));
    const s3 = await S3Storage.open("s3://bench-bucket", { endpoint: `http://127.0.0.1:${server.port}`, accessKeyId: server.user, secretAccessKey: server.key, env: {}, create: true });
    const env = { ...process.env, ST_AUTH: server.authUrl, ST_USER: server.user, ST_KEY: server.key };
    const swift = (args: string[]) => run("swift", args, { cwd: work, env, maxBuffer: 1 << 26 });
    await swift(["post", "bench-swift"]);
    const s3Up = await medianSeconds(RUNS, () => s3.putLocalFile(file, "big.bin"));
    const swiftUp = await medianSeconds(RUNS, () => swift(["upload", "--object-name", "big.bin", "bench-swift", "big.bin"]));
    const s3Down = await medianSeconds(RUNS, async () => {
      await pipeline(await s3.readStream("big.bin"), createWriteStream(join(work, "s3-down.bin")));
    });
    const swiftDown = await medianSeconds(RUNS, () => swift(["download", "bench-swift", "big.bin", "-o", join(work, "swift-down.bin")]));
    recordRow("S3Storage putLocalFile 256 MiB", s3Up, "swift upload", swiftUp);
    recordRow("S3Storage readStream → file 256 MiB", s3Down, "swift download", swiftDown);
    console.log(`${"S3Storage putLocalFile".padEnd(34)} ${mbps(s3Up)}   swift upload   ${mbps(swiftUp)}   throughput ratio ${(swiftUp / s3Up).toFixed(2)}×`);
    console.log(`${"S3Storage readStream → file".padEnd(34)} ${mbps(s3Down)}   swift download ${mbps(swiftDown)}   throughput ratio ${(swiftDown / s3Down).toFixed(2)}×`);
    await s3.delete("big.bin");
    await s3.close();
    await swift(["delete", "bench-swift"]);
  }
} finally {
  await stopSwift();
  await rm(work, { recursive: true, force: true });
}

/**
 * `npm run bench:service`: the command line and the server, each figure against a peer measured in
 * the same run on the same machine (its own Swift on 127.0.0.1, from test/support):
 *
 * 1. `skybutler push` / `pull` (the built binary, as users run it) of 1,000 × 4 KiB files and of
 *    2 × 256 MiB files to and from Swift, vs python-swiftclient's `swift upload` / `swift download`
 *    of the same directory, both 10 transfers at a time (swiftclient's default).
 * 2. A 2 GiB object read through `skybutler serve` (HttpStorage.readStream) vs read straight from
 *    the storage behind it (SwiftStorage / PosixStorage.readStream in this process), and the
 *    server's peak RSS (VmHWM) — targets ≥ 0.9× the throughput and ≤ 200 MiB.
 * 3. Small GETs per second through the server (4 KiB objects, 8 in flight) vs the same reads
 *    straight from the POSIX storage behind it; and dataset GETs (the sample's raw frames by data
 *    id, `/datasets/raw?visit=…&ccd=…`) vs `butler.openStored` + a read of the stream in this process.
 *
 * BENCH_RUNS (default 3) sets the runs per median of the small cases; BENCH_GET_MIB (default 2048)
 * the size of the large object; BENCH_SECTIONS (default "123") which sections run.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Agent, request } from "undici";
import { Butler } from "../src/butler/butler.js";
import { HttpStorage } from "../src/storage/http/http-storage.js";
import { PosixStorage } from "../src/storage/posix/posix-storage.js";
import { SwiftStorage } from "../src/storage/swift/swift-storage.js";
import type { Storage } from "../src/storage/index.js";
import { CLI, ensureBuilt, startServe, tokenFile, TOKENS } from "../test/support/cli.js";
import { stopSwift, swiftServer } from "../test/support/swift-server.js";
import { benchWorkDir, medianSeconds, printRow } from "./timing.js";

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const GET_MIB = Number(process.env.BENCH_GET_MIB ?? 2048);
const SECTIONS = process.env.BENCH_SECTIONS ?? "123";
const MiB = 1024 * 1024;
const JOBS = 10;
const work = await benchWorkDir("bench-service");
const mbps = (bytes: number, seconds: number): string => `${(bytes / seconds / 1e6).toFixed(0)} MB/s`;

async function randomFile(path: string, bytes: number): Promise<void> {
  const block = randomBytes(16 * MiB);
  await pipeline(
    (async function* () {
      for (let left = bytes; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
    })(),
    createWriteStream(path),
  );
}

async function drain(storage: Storage, key: string): Promise<number> {
  let n = 0;
  for await (const chunk of await storage.readStream(key)) n += (chunk as Buffer).length;
  return n;
}

/** Peak RSS (VmHWM) of a process, in MiB. */
async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

try {
  ensureBuilt();
  console.log(`skybutler service bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, median of ${RUNS} runs (1 for 256 MiB and ${GET_MIB} MiB cases)\n`);
  const swift = await swiftServer();
  const env = { ...process.env, ST_AUTH: swift.authUrl, ST_USER: swift.user, ST_KEY: swift.key };
  const credentials = { authUrl: swift.authUrl, user: swift.user, key: swift.key };
  const sky = (args: string[]) => run(process.execPath, [CLI, "--quiet", ...args], { env, maxBuffer: 1 << 26 });
  const swiftCli = (args: string[], cwd = work) => run("swift", ["-A", swift.authUrl, "-U", swift.user, "-K", swift.key, ...args], { cwd, env, maxBuffer: 1 << 26 });
  const bench = await SwiftStorage.open("swift://svcbench", { create: true, ...credentials });

  // 1. push / pull vs swift upload / download
  if (SECTIONS.includes("1")) {
    console.log(`1. push/pull vs python-swiftclient on the same Swift, ${JOBS} at a time (ratio = our time / theirs; below 1: faster)`);
    const small = join(work, "small");
    await mkdir(small);
    for (let i = 0; i < 1000; i++) await writeFile(join(small, `f${String(i).padStart(4, "0")}.bin`), randomBytes(4096));
    const big = join(work, "big");
    await mkdir(big);
    await randomFile(join(big, "a.bin"), 256 * MiB);
    await randomFile(join(big, "b.bin"), 256 * MiB);
    for (const [name, dir, runs] of [["1,000 × 4 KiB", "small", RUNS], ["2 × 256 MiB", "big", 1]] as const) {
      const pushOurs = await medianSeconds(runs, () => sky(["push", join(work, dir), `swift://svcbench/ours-${dir}`, "--jobs", String(JOBS)]));
      const pushSwift = await medianSeconds(runs, () => swiftCli(["upload", "svcbench", dir, "--object-threads", String(JOBS), "--object-name", `theirs-${dir}`]));
      const out = join(work, `out-${dir}`);
      const pullOurs = await medianSeconds(runs, async () => {
        await rm(out, { recursive: true, force: true });
        await sky(["pull", "swift://svcbench", out, "--prefix", `ours-${dir}/`, "--jobs", String(JOBS)]);
      });
      const pullSwift = await medianSeconds(runs, async () => {
        await rm(out, { recursive: true, force: true });
        await swiftCli(["download", "svcbench", "--prefix", `theirs-${dir}/`, "-D", out, "--object-threads", String(JOBS)]);
      });
      printRow(`skybutler push ${name}`, pushOurs, "swift upload", pushSwift);
      printRow(`skybutler pull ${name}`, pullOurs, "swift download", pullSwift);
    }
    await rm(big, { recursive: true, force: true });
    console.log("");
  }

  // 2. a large object through the server vs straight from its storage
  if (SECTIONS.includes("2") || SECTIONS.includes("3")) {
    console.log(`2. ${GET_MIB} MiB GET through skybutler serve vs straight from the storage behind it (ratio = throughput through the server / straight)`);
    const tokens = tokenFile([[TOKENS.read, "read"]]);
    const posixRoot = join(work, "posix");
    await mkdir(posixRoot);
    await randomFile(join(posixRoot, "huge.bin"), GET_MIB * MiB);
    await bench.putLocalFile(join(posixRoot, "huge.bin"), "huge.bin");
    const server = await startServe(["--port", "0", "--repo", "swift=swift://svcbench", "--repo", `posix=${posixRoot}`, "--token-file", tokens.path, "--quiet"], { env });
    try {
      const posix = await PosixStorage.open(posixRoot);
      for (const [name, direct] of [["swift", bench], ["posix", posix]] as const) {
        const remote = await HttpStorage.open(`skybutler+http://127.0.0.1:${server.port}/${name}`, { token: TOKENS.read });
        const straight = await medianSeconds(1, () => drain(direct, "huge.bin"));
        const through = await medianSeconds(1, () => drain(remote, "huge.bin"));
        const bytes = GET_MIB * MiB;
        console.log(
          `   ${name.padEnd(6)} straight ${mbps(bytes, straight).padStart(9)}   through the server ${mbps(bytes, through).padStart(9)}   ratio ${(straight / through).toFixed(2)}× (target ≥ 0.90×)`,
        );
        await remote.close();
      }
      console.log(`   server peak RSS ${(await peakRssMiB(server.child.pid!)).toFixed(0)} MiB (target ≤ 200 MiB)\n`);

      // 3. small GETs per second
      console.log("3. 4 KiB GETs, 8 in flight (ratio = GETs/s through the server / straight from the POSIX storage)");
      const keys = Array.from({ length: 2000 }, (_, i) => `s/${i % 200}.bin`);
      for (let i = 0; i < 200; i++) await posix.write(`s/${i}.bin`, randomBytes(4096));
      const remote = await HttpStorage.open(`skybutler+http://127.0.0.1:${server.port}/posix`, { token: TOKENS.read });
      const many = (s: Storage) => async () => {
        let next = 0;
        await Promise.all(Array.from({ length: 8 }, async () => {
          for (let i = next++; i < keys.length; i = next++) await s.read(keys[i]!);
        }));
      };
      const viaServer = await medianSeconds(RUNS, many(remote));
      const straight = await medianSeconds(RUNS, many(posix));
      console.log(`   through the server ${(keys.length / viaServer).toFixed(0)}/s, straight ${(keys.length / straight).toFixed(0)}/s, ratio ${(straight / viaServer).toFixed(2)}×`);
      await remote.close();
      await posix.close();

      console.log("   raw dataset GETs by data id (11 KiB FITS, 8 in flight; ratio = through the server / butler.openStored here)");
      const sample = fileURLToPath(new URL("../data/testcam-repo", import.meta.url));
      const datasets = await startServe(["--port", "0", "--repo", `cam=${sample}`, "--public-read", "--read-only", "--quiet"]);
      const butler = await Butler.create({ inputs: sample });
      const agent = new Agent({ connections: 8 });
      try {
        const ids = Array.from({ length: 1200 }, (_, i) => ({ visit: 1 + (i % 4), ccd: Math.floor(i / 4) % 3 }));
        const eight = (get: (id: { visit: number; ccd: number }) => Promise<unknown>) => async () => {
          let next = 0;
          await Promise.all(Array.from({ length: 8 }, async () => {
            for (let i = next++; i < ids.length; i = next++) await get(ids[i]!);
          }));
        };
        const route = await medianSeconds(RUNS, eight(async ({ visit, ccd }) => {
          const res = await request(`${datasets.url}/api/v1/repos/cam/datasets/raw?visit=${visit}&ccd=${ccd}`, { dispatcher: agent });
          if (res.statusCode !== 200) throw new Error(`GET raw ${visit} ${ccd}: ${res.statusCode}`);
          await res.body.arrayBuffer();
        }));
        const direct = await medianSeconds(RUNS, eight(async (id) => {
          for await (const _ of await (await butler.openStored("raw", id)).open());
        }));
        console.log(`   through the server ${(ids.length / route).toFixed(0)}/s, straight ${(ids.length / direct).toFixed(0)}/s, ratio ${(direct / route).toFixed(2)}×`);
      } finally {
        await agent.close();
        await butler.close();
        await datasets.stop();
      }
    } finally {
      await server.stop();
      tokens.remove();
      await bench.close();
    }
  }
} finally {
  await stopSwift().catch((err: unknown) => console.error(err));
  await rm(work, { recursive: true, force: true });
}

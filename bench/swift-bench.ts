/**
 * `npm run bench:swift`: SwiftStorage on a real Swift started for the run (test/support's
 * script, 127.0.0.1), each figure against a peer measured in the same run on the same server.
 *
 * 1. 256 MiB upload and download vs curl (`curl -T` / `curl -o`, same token) and vs
 *    python-swiftclient (`swift upload` / `swift download`). Our upload includes the MD5 pass
 *    that lets the server refuse a corrupted body; curl + md5sum is shown as well.
 * 2. 1,000 objects of 4 KiB, 16 at a time, vs `swift upload --object-threads 16` of the directory.
 * 3. Peak RSS of a child process that only copies a 2 GiB object Posix → Swift and Swift → Posix
 *    through the streaming API (target ≤ 150 MiB).
 *
 * BENCH_RUNS (default 3) sets the runs per median; BENCH_COPY_MIB (default 2048) the copy size.
 */
import { execFile } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, rm, statfs, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { request } from "undici";
import { SwiftStorage } from "../src/storage/swift/swift-storage.js";
import { stopSwift, swiftServer } from "../test/support/swift-server.js";
import { benchWorkDir, medianSeconds, printRow } from "./timing.js";

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COPY_MIB = Number(process.env.BENCH_COPY_MIB ?? 2048);
const MiB = 1024 * 1024;
const BIG = 256 * MiB;
const work = await benchWorkDir("bench-swift");
const child = fileURLToPath(new URL("./swift-copy-child.ts", import.meta.url));

async function randomFile(path: string, bytes: number): Promise<void> {
  const block = randomBytes(16 * MiB); // repeated: content is irrelevant to the transfer
  await pipeline(
    (async function* () {
      for (let left = bytes; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
    })(),
    createWriteStream(path),
  );
}

const mbps = (bytes: number, seconds: number): string => `${(bytes / seconds / 1e6).toFixed(0)} MB/s`;

try {
  const free = await statfs(work);
  const needed = (BIG * 4 + COPY_MIB * MiB * 4) / 1024 ** 3;
  console.log(`skybutler swift bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, median of ${RUNS} runs`);
  console.log(`disk: ${((free.bavail * free.bsize) / 1024 ** 3).toFixed(0)} GiB free in ${tmpdir()}, about ${needed.toFixed(1)} GiB needed\n`);
  const server = await swiftServer();
  const auth = await request(server.authUrl, { headers: { "x-auth-user": server.user, "x-auth-key": server.key } });
  await auth.body.dump();
  const token = String(auth.headers["x-auth-token"]);
  const headerFile = join(work, "auth-header");
  await writeFile(headerFile, `X-Auth-Token: ${token}\n`, { mode: 0o600 }); // not in curl's argv
  const env = { ...process.env, ST_AUTH: server.authUrl, ST_USER: server.user, ST_KEY: server.key };
  const swiftCli = (args: string[], cwd = work) => run("swift", ["-A", server.authUrl, "-U", server.user, "-K", server.key, ...args], { cwd, env, maxBuffer: 1 << 26 });
  const curl = (args: string[]) => run("curl", ["-sS", "-f", "-H", `@${headerFile}`, ...args]);
  const url = (key: string) => `${server.storageUrl}/bench/${key}`;
  const storage = await SwiftStorage.open("swift://bench", { create: true, authUrl: server.authUrl, user: server.user, key: server.key });

  // 1. 256 MiB up and down
  const big = join(work, "256m.bin");
  await randomFile(big, BIG);
  const upOurs = await medianSeconds(RUNS, () => storage.putLocalFile(big, "ours.bin"));
  const upCurl = await medianSeconds(RUNS, () => curl(["-T", big, url("curl.bin"), "-o", "/dev/null"]));
  const upCurlMd5 = await medianSeconds(RUNS, async () => {
    const { stdout } = await run("md5sum", [big]);
    await curl(["-T", big, "-H", `ETag: ${stdout.slice(0, 32)}`, url("curl.bin"), "-o", "/dev/null"]);
  });
  const upSwift = await medianSeconds(RUNS, () => swiftCli(["upload", "bench", "256m.bin", "--object-name", "swift.bin"]));
  const out = join(work, "out.bin");
  const downOurs = await medianSeconds(RUNS, async () => pipeline(await storage.readStream("ours.bin"), createWriteStream(out)));
  const downOursFile = await medianSeconds(RUNS, async () => (await storage.getLocalFile("ours.bin")).release());
  const downCurl = await medianSeconds(RUNS, () => curl(["-o", out, url("ours.bin")]));
  const downSwift = await medianSeconds(RUNS, () => swiftCli(["download", "bench", "ours.bin", "-o", out]));

  console.log("1. 256 MiB on loopback (ratio = our time / peer time; below 1: we are faster)");
  printRow(`upload putLocalFile (${mbps(BIG, upOurs)})`, upOurs, `curl -T (${mbps(BIG, upCurl)})`, upCurl);
  printRow(`upload putLocalFile`, upOurs, `md5sum + curl -T with ETag`, upCurlMd5);
  printRow(`upload putLocalFile`, upOurs, `swift upload (${mbps(BIG, upSwift)})`, upSwift);
  printRow(`download readStream→file (${mbps(BIG, downOurs)})`, downOurs, `curl -o (${mbps(BIG, downCurl)})`, downCurl);
  printRow(`download getLocalFile+MD5 (${mbps(BIG, downOursFile)})`, downOursFile, `curl -o`, downCurl);
  printRow(`download readStream→file`, downOurs, `swift download (${mbps(BIG, downSwift)})`, downSwift);
  console.log(`   throughput vs curl: upload ${(upCurl / upOurs).toFixed(2)}× (with MD5 ${(upCurlMd5 / upOurs).toFixed(2)}×), download ${(downCurl / downOurs).toFixed(2)}×\n`);

  // 2. 1,000 small objects
  const small = join(work, "small");
  await mkdir(small);
  const names = Array.from({ length: 1000 }, (_, i) => `f${String(i).padStart(4, "0")}.bin`);
  for (const n of names) await writeFile(join(small, n), randomBytes(4096));
  const smallOurs = await medianSeconds(RUNS, async () => {
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = next++; i < names.length; i = next++) await storage.putLocalFile(join(small, names[i]!), `small/${names[i]}`);
    }));
  });
  const smallSwift = await medianSeconds(RUNS, () => swiftCli(["upload", "bench", "small", "--object-threads", "16"]));
  console.log("2. 1,000 objects of 4 KiB, 16 at a time");
  printRow(`putLocalFile ×1000 (${(1000 / smallOurs).toFixed(0)} obj/s)`, smallOurs, `swift upload (${(1000 / smallSwift).toFixed(0)} obj/s)`, smallSwift);
  console.log("");
  await storage.close();

  // 3. peak RSS of a 2 GiB streaming copy, each direction in a child process doing only that
  const posixRoot = join(work, "posix");
  await mkdir(posixRoot);
  await randomFile(join(posixRoot, "big.bin"), COPY_MIB * MiB);
  console.log(`3. streaming copy of ${COPY_MIB} MiB in a child process (peak RSS = VmHWM; SLO segments of 1 GiB)`);
  for (const [direction, key, dest] of [["to-swift", "big.bin", "big.bin"], ["to-posix", "big.bin", "copy.bin"]] as const) {
    const { stdout } = await run(process.execPath, ["--import", "tsx", child, direction, posixRoot, "bench", key, dest], {
      env: { ...env, SKYBUTLER_TMPDIR: join(work, "tmp") },
      maxBuffer: 1 << 20,
    });
    const r = JSON.parse(stdout.trim().split("\n").pop()!) as { seconds: number; peakRssMiB: number; rssBeforeCopyMiB: number };
    console.log(`   ${direction.padEnd(9)} ${r.seconds.toFixed(1)} s (${mbps(COPY_MIB * MiB, r.seconds)}), peak RSS ${r.peakRssMiB.toFixed(0)} MiB (${r.rssBeforeCopyMiB.toFixed(0)} MiB before the copy) — target ≤ 150 MiB`);
  }
  await run("cmp", [join(posixRoot, "big.bin"), join(posixRoot, "copy.bin")]);
  console.log("   round trip byte-exact (cmp)");
} finally {
  await stopSwift().catch((err: unknown) => console.error(err));
  await rm(work, { recursive: true, force: true });
}

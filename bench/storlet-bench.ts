/**
 * `npm run bench:storlets`: a 64×64 cutout of a 4096² float32 exposure (64 MiB), read through the
 * `fitscutout` storlet where the data is, against a full get of the exposure and a cutout made
 * locally — bytes moved to the client and time, each against its peer in the same run:
 *
 * 1. Swift (its own on 127.0.0.1, from test/support) behind `skybutler serve --swift-proxy`: the
 *    storlet in the gateway (`X-Run-Storlet`) vs downloading the exposure (SwiftStorage.read) and
 *    cutting it here (the FITS codec).
 * 2. A skybutler server: the storlet on the server vs a full GET through the object API.
 * 3. The sandbox's cost: the same storlet run locally on the file vs the codec's own cut.
 *
 * BENCH_RUNS (default 5) sets the runs per median.
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { openFits, MemoryByteSource } from "../src/fits/index.js";
import { SkybutlerServer } from "../src/server/skybutler-server.js";
import { HttpStorage } from "../src/storage/http/http-storage.js";
import { PosixStorage } from "../src/storage/posix/posix-storage.js";
import { SwiftStorage } from "../src/storage/swift/swift-storage.js";
import type { Storage } from "../src/storage/index.js";
import { deployStorlet } from "../src/storlets/deploy-client.js";
import { localStorletCode } from "../src/storlets/local-code.js";
import { readThroughStorlet } from "../src/repository/storlet-read.js";
import { PYTHON } from "../test/support/astropy.js";
import { SwiftAdmin, uniqueContainer } from "../test/support/swift-admin.js";
import { stopSwift, swiftServer } from "../test/support/swift-server.js";
import { benchWorkDir, medianSeconds, printRow } from "./timing.js";

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIDE = 4096;
const BOX = { x0: 2000, y0: 3000, width: 64, height: 64 };
const work = await benchWorkDir("bench-storlets");
const file = join(work, "calexp.fits");
const kib = (n: number): string => (n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

/** The cut made here from the whole file's bytes (what a client without storlets does). */
async function cutHere(bytes: Uint8Array): Promise<number> {
  const fits = await openFits(new MemoryByteSource(bytes));
  const { data } = await fits.hdu("IMAGE").readImage({ rows: [BOX.y0, BOX.y0 + BOX.height], cols: [BOX.x0, BOX.x0 + BOX.width] });
  return data.length;
}

async function compare(label: string, storage: Storage, key: string): Promise<void> {
  let remoteBytes = 0;
  let ranAt = "";
  const remote = await medianSeconds(RUNS, async () => {
    const result = await readThroughStorlet(storage, key, { name: "fitscutout", params: { hdu: "IMAGE", ...BOX } });
    remoteBytes = result.data.length;
    ranAt = result.ranAt;
  });
  let fullBytes = 0;
  const full = await medianSeconds(RUNS, async () => {
    const bytes = await storage.read(key);
    fullBytes = bytes.length;
    await cutHere(bytes);
  });
  if (ranAt !== "storage") throw new Error(`${label}: the storlet ran ${ranAt}, not next to the data`);
  printRow(`${label}: storlet cutout (${kib(remoteBytes)} moved)`, remote, `full get (${kib(fullBytes)})`, full);
  console.log(`${"".padEnd(4)}bytes moved to the client: ${remoteBytes} vs ${fullBytes} (${(fullBytes / remoteBytes).toFixed(0)}× fewer)`);
}

try {
  await run(PYTHON, ["-c", `import numpy as np, sys\nfrom astropy.io import fits\nd = np.random.default_rng(1).normal(1000, 30, (${SIDE}, ${SIDE})).astype('>f4')\nfits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(d, name='IMAGE')]).writeto(sys.argv[1])`, file]);
  console.log(`storlet bench ${new Date().toISOString()}: 64×64 cutout of a ${SIDE}² float32 exposure (${kib(SIDE * SIDE * 4)}), median of ${RUNS}`);

  // 1. Swift behind the storlet gateway
  const swift = await swiftServer();
  const gateway = await SkybutlerServer.start({ port: 0, publicRead: true, swiftProxy: `http://127.0.0.1:${swift.port}` });
  const container = uniqueContainer("bench-storlets");
  const auth = `${gateway.url}/auth/v1.0`;
  const swiftStorage = await SwiftStorage.open(`swift://${container}`, { create: true, authUrl: auth, user: swift.user, key: swift.key });
  try {
    await swiftStorage.putLocalFile(file, "calexp.fits");
    await run("swift", ["-A", auth, "-U", swift.user, "-K", swift.key, "post", "-m", "Storlet-Enabled:True"]);
    await deployStorlet(await localStorletCode("fitscutout"), "swift://storlet", { env: { ST_AUTH: auth, ST_USER: swift.user, ST_KEY: swift.key } });
    await compare("Swift via gateway", swiftStorage, "calexp.fits");
  } finally {
    await swiftStorage.close();
    await new SwiftAdmin(swift).removeContainer(container);
    await gateway.close();
  }

  // 2. a skybutler server
  const server = await SkybutlerServer.start({ port: 0, publicRead: true, repos: [{ name: "bench", uri: work }], storletRepos: ["bench"] });
  const http = await HttpStorage.open(`skybutler+${server.url}/bench`);
  try {
    await compare("skybutler server", http, "calexp.fits");
  } finally {
    await http.close();
    await server.close();
  }

  // 3. the sandbox's own cost, no network
  const posix = await PosixStorage.open(work);
  const sandboxed = await medianSeconds(RUNS, async () => {
    const { readThroughStorlet: local } = await import("../src/repository/storlet-read.js");
    await local(posix, "calexp.fits", { name: "fitscutout", params: { hdu: "IMAGE", ...BOX } });
  });
  const direct = await medianSeconds(RUNS, async () => {
    const fits = await openFits(file);
    try {
      await fits.hdu("IMAGE").readImage({ rows: [BOX.y0, BOX.y0 + BOX.height], cols: [BOX.x0, BOX.x0 + BOX.width] });
    } finally {
      await fits.close();
    }
  });
  printRow("local: fitscutout in its sandbox", sandboxed, "the FITS codec in-process", direct);
  await posix.close();
} finally {
  await rm(work, { recursive: true, force: true });
  await stopSwift();
}

/**
 * skybutler:mirror and skybutler:cache on PosixStorage roots: a mirror that lost copies still
 * reads and is completed by repairMirror; a cache that stays within its bound, revalidates by
 * ETag, keeps handed-out files through eviction, and is reused by another process.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { repairMirror } from "../../src/testing/index.js";
import { storageFromUri } from "../../src/storage/schemes.js";
import type { Storage } from "../../src/storage/storage.js";
import type { CacheStorage } from "../../src/storage/wrappers/cache/cache-storage.js";
import { modulesSandbox, type ModulesSandbox } from "../support/module-stacks.js";

const run = promisify(execFile);
const WORKER = fileURLToPath(new URL("../support/cache-worker.ts", import.meta.url));

describe("skybutler:mirror", () => {
  let box: ModulesSandbox;
  let s: Storage;
  beforeEach(async () => {
    box = await modulesSandbox((dir) => ({
      mirrored: { module: "skybutler:mirror", args: { over: [pathToFileURL(join(dir, "a")).href, pathToFileURL(join(dir, "b")).href] } },
    }));
    s = await storageFromUri("mirrored://r", { create: true });
  });
  afterEach(async () => {
    await s.close();
    await box.cleanup();
  });

  it("writes every target, reads from the next one when a copy is lost, and repair completes the targets", async () => {
    await s.write("x/1", "one");
    await s.write("x/2", "two");
    await s.write("x/3", "three");
    for (const t of ["a", "b"]) expect((await readdir(join(box.sandbox, t, "r", "x"))).sort()).to.deep.equal(["1", "2", "3"]);
    await rm(join(box.sandbox, "a", "r", "x", "1"));
    await rm(join(box.sandbox, "b", "r", "x", "2"));
    expect((await s.read("x/1")).toString()).to.equal("one");
    expect((await s.read("x/2")).toString()).to.equal("two");
    expect(await s.available("x/1", { size: 3 })).to.equal(true);
    const report = await repairMirror("mirrored://r");
    expect(report.keys).to.equal(3);
    expect(report.skipped).to.equal(1); // x/3 was on both
    expect(Object.values(report.copied).sort()).to.deep.equal([1, 1]);
    for (const t of ["a", "b"]) expect(await readFile(join(box.sandbox, t, "r", "x", "1"), "utf8")).to.equal("one");
    const again = await repairMirror("mirrored://r");
    expect(again.skipped).to.equal(3);
  });

  it("reports the smallest target's capacity and each target's figures", async () => {
    const stats = await s.statistics();
    expect(stats.capacity).to.have.keys("total", "used", "free");
    expect((stats.mirror as { targets: unknown[] }).targets).to.have.length(2);
  });
});

describe("skybutler:cache", function () {
  this.timeout(60_000);
  let box: ModulesSandbox;
  let s: CacheStorage;
  let cacheDir: string;
  beforeEach(async () => {
    box = await modulesSandbox((dir) => ({
      cached: { module: "skybutler:cache", args: { over: pathToFileURL(join(dir, "remote")).href, dir: "cache", maxBytes: 250_000 } },
    }));
    cacheDir = join(box.sandbox, "cache");
    s = (await storageFromUri("cached://r", { create: true })) as CacheStorage;
  });
  afterEach(async () => {
    await s.close();
    await box.cleanup();
  });

  const entries = async (): Promise<string[]> => (await readdir(join(cacheDir, "objects")).catch(() => [] as string[])).filter((n) => /^[0-9a-f]{64}$/.test(n));

  it("fills on a whole read, revalidates by ETag, and a ranged read of an uncached object does not fill", async () => {
    await s.write("reg", "version 1");
    expect((await s.read("reg", { offset: 0, length: 4 })).toString()).to.equal("vers");
    expect(await entries()).to.have.length(0);
    expect((await s.read("reg")).toString()).to.equal("version 1");
    expect(await entries()).to.have.length(1);
    expect((await s.read("reg", { offset: 8 })).toString()).to.equal("1");
    // replaced behind the cache's back: the ETag changed, the old copy is not used
    const remote = await storageFromUri(pathToFileURL(join(box.sandbox, "remote", "r")).href);
    await remote.write("reg", "version 2, longer");
    await remote.close();
    expect((await s.read("reg")).toString()).to.equal("version 2, longer");
    const { hits, misses } = (await s.statistics()).cache as { hits: number; misses: number };
    expect([hits, misses]).to.deep.equal([1, 2]);
  });

  it("evicts the least recently used entries beyond maxBytes; a handed-out file survives its eviction", async () => {
    for (const k of ["a", "b", "c"]) await s.write(k, Buffer.alloc(100_000, k.charCodeAt(0)));
    const a = await s.getLocalFile("a");
    await s.read("b");
    await s.read("a"); // a is now more recent than b
    await s.read("c"); // 300 000 > 250 000: b goes
    const figures = (await s.statistics()).cache as { bytes: number; entries: number };
    expect(figures.bytes).to.be.at.most(250_000);
    expect(figures.entries).to.equal(2);
    await s.read("b"); // b back, a (least recent now) goes
    expect((await readFile(a.path)).equals(Buffer.alloc(100_000, 97))).to.equal(true);
    await a.release();
    expect(await readdir(join(cacheDir, "leases"))).to.deep.equal([]);
  });

  it("a second process reuses the first one's cached copy (one download for both)", async () => {
    await s.write("registry.sqlite3", Buffer.alloc(50_000, 3));
    const first = JSON.parse((await run(process.execPath, ["--import", "tsx", WORKER, "registry.sqlite3"], { env: process.env })).stdout);
    const second = JSON.parse((await run(process.execPath, ["--import", "tsx", WORKER, "registry.sqlite3"], { env: process.env })).stdout);
    expect(first.length).to.equal(50_000);
    expect([first.cache.hits, first.cache.misses]).to.deep.equal([0, 1]);
    expect([second.cache.hits, second.cache.misses]).to.deep.equal([1, 0]);
    expect(await entries()).to.have.length(1);
  });
});

/**
 * skybutler:dedup on PosixStorage: one blob per distinct content, references per key, deletes that
 * keep what other keys need, gc of unreferenced blobs, and real child processes putting, deleting
 * and collecting the same contents at once.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { gcDedup } from "../../src/testing/index.js";
import { storageFromUri } from "../../src/storage/schemes.js";
import type { DedupStorage } from "../../src/storage/wrappers/dedup/dedup-storage.js";
import { modulesSandbox, type ModulesSandbox } from "../support/module-stacks.js";

const run = promisify(execFile);
const WORKER = fileURLToPath(new URL("../support/dedup-worker.ts", import.meta.url));

async function blobsBelow(dir: string): Promise<string[]> {
  try {
    return (await readdir(join(dir, "blobs"), { recursive: true })).filter((n) => /[0-9a-f]{64}$/.test(n));
  } catch {
    return [];
  }
}

describe("skybutler:dedup", function () {
  this.timeout(120_000);
  let box: ModulesSandbox;
  let below: string;

  beforeEach(async () => {
    box = await modulesSandbox((dir) => ({ dd: { module: "skybutler:dedup", args: { over: pathToFileURL(join(dir, "below")).href } } }));
    below = join(box.sandbox, "below", "r");
  });
  afterEach(() => box.cleanup());

  it("stores the same bytes once; deleting one key keeps the other; gc removes what no key references", async () => {
    const s = (await storageFromUri("dd://r", { create: true })) as DedupStorage;
    const calib = Buffer.alloc(100_000, 7);
    await s.write("calib/bias-1.fits", calib);
    await s.write("calib/bias-2.fits", calib);
    await s.copy("calib/bias-1.fits", "calib/bias-3.fits");
    await s.write("other", "different");
    expect(await blobsBelow(below)).to.have.length(2);
    const stats = await s.statistics({ count: true });
    expect(stats.objects).to.equal(4);
    expect(stats.bytes).to.equal(3 * 100_000 + 9);
    expect((stats.dedup as { storedBytes: number }).storedBytes).to.equal(100_000 + 9);
    await s.delete("calib/bias-1.fits");
    expect((await s.read("calib/bias-2.fits")).equals(calib)).to.equal(true);
    await s.delete("other");
    await s.close();
    const report = await gcDedup("dd://r");
    expect(report).to.deep.equal({ removed: 1, freedBytes: 9, kept: 1 });
    expect(await blobsBelow(below)).to.have.length(1);
    const again = await storageFromUri("dd://r");
    expect((await again.read("calib/bias-3.fits")).equals(calib)).to.equal(true);
    await again.close();
  });

  it("a put waits while a gc holds its lock, and gc refuses to run twice at once", async () => {
    const s = (await storageFromUri("dd://r", { create: true })) as DedupStorage;
    const inner = await storageFromUri(pathToFileURL(below).href);
    await inner.write("gc.lock", JSON.stringify({ started: Date.now(), pid: 1, host: "elsewhere" }));
    let done = false;
    const put = s.write("k", "v").then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done, "put finished while gc ran").to.equal(false);
    let err: unknown;
    await s.gc().catch((e: unknown) => (err = e));
    expect((err as Error).message).to.include("another gc");
    await inner.delete("gc.lock");
    await put;
    expect((await s.read("k")).toString()).to.equal("v");
    await inner.close();
    await s.close();
  });

  it("three processes putting, deleting and collecting the same contents leave every key readable", async () => {
    const first = await storageFromUri("dd://r", { create: true });
    await first.close();
    const env = { ...process.env };
    await Promise.all([0, 1, 2].map((w) => run(process.execPath, ["--import", "tsx", WORKER, String(w), "40"], { env, timeout: 100_000 })));
    const s = (await storageFromUri("dd://r")) as DedupStorage;
    const keys: string[] = [];
    for await (const key of s.list()) keys.push(key);
    expect(keys.length).to.be.above(30);
    // which of the three contents survive depends on which worker wrote the shared keys last
    const contents = new Set<string>();
    for (const key of keys) {
      const bytes = await s.read(key); // a whole read checks the blob's SHA-256
      expect(bytes.toString().startsWith("content ")).to.equal(true);
      contents.add(bytes.toString("hex", 0, 16) + bytes.length);
    }
    expect(contents.size).to.be.at.least(2);
    await s.gc({ graceMs: 0 });
    expect(await blobsBelow(below)).to.have.length(contents.size);
    for (const key of keys) expect((await s.read(key)).length).to.be.above(0);
    await s.close();
  });
});

/**
 * The sweep of temp files killed writers left beside destinations (`PosixStorage.sweepPendingWrites`):
 * a writer of this host that no longer runs → stale at once; any writer → stale when untouched
 * longer than the bound; a live writer's recent file and another host's recent file are kept.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PosixStorage } from "../../src/storage/posix/posix-storage.js";
import { HOST_TAG } from "../../src/storage/posix/temp-name.js";
import { filesBelow } from "../../src/testing/index.js";

/** The PID of a process that ran and exited (reaped), so no process has it now (barring reuse). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("close", resolve));
  return child.pid!;
}

describe("PosixStorage.sweepPendingWrites", () => {
  let root: string;
  let live: ReturnType<typeof spawn> | undefined;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "skybutler-sweep-"));
  });
  afterEach(() => {
    live?.kill("SIGKILL");
    rmSync(root, { recursive: true, force: true });
  });

  it("removes a dead local writer's file at once and anyone's old file; keeps live, foreign and recent ones", async () => {
    const dead = await deadPid();
    live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    mkdirSync(join(root, "raw", "v1"), { recursive: true });
    const rand = () => Math.random().toString(16).slice(2).padEnd(16, "0").slice(0, 16);
    const files = {
      deadWriter: join(root, "raw", "v1", `.a.fits.${rand()}.${HOST_TAG}-${dead}.tmp.fits`),
      liveWriter: join(root, "raw", `.b.fits.${rand()}.${HOST_TAG}-${live.pid}.tmp.fits`),
      otherHost: join(root, `.c.json.${rand()}.${HOST_TAG === "00000000" ? "11111111" : "00000000"}-${dead}.tmp.json`),
      oldUnowned: join(root, `.d.json.${rand()}.tmp`),
      recentUnowned: join(root, `.e.json.${rand()}.tmp`),
      object: join(root, "raw", "v1", "a.fits"),
    };
    for (const path of Object.values(files)) writeFileSync(path, "12345");
    const twoDaysAgo = (Date.now() - 2 * 86400_000) / 1000;
    utimesSync(files.oldUnowned, twoDaysAgo, twoDaysAgo);

    const storage = await PosixStorage.open(root);
    try {
      const counted = await storage.sweepPendingWrites({ dryRun: true });
      expect(counted).to.deep.equal({ files: 2, bytes: 10 });
      expect(filesBelow(root)).to.have.length(6);
      expect(await storage.sweepPendingWrites()).to.deep.equal({ files: 2, bytes: 10 });
      expect(filesBelow(root).sort()).to.deep.equal([files.liveWriter, files.otherHost, files.recentUnowned, files.object].sort());
      // with a bound of zero every temp file is stale, whoever wrote it; objects are never touched
      expect((await storage.sweepPendingWrites({ olderThanMs: 0 })).files).to.equal(3);
      expect(filesBelow(root)).to.deep.equal([files.object]);
    } finally {
      await storage.close();
    }
  });

  it("names its writer in every temp file it makes, and a listing never shows one", async () => {
    const storage = await PosixStorage.open(root);
    try {
      const pending = await storage.createLocalFile("x/y.fits");
      try {
        expect(pending.path).to.match(new RegExp(`\\.${HOST_TAG}-${process.pid}\\.tmp`));
        writeFileSync(pending.path, "z");
        const keys: string[] = [];
        for await (const key of storage.list()) keys.push(key);
        expect(keys).to.deep.equal([]);
        // its own writer is alive: a sweep keeps it
        expect((await storage.sweepPendingWrites()).files).to.equal(0);
      } finally {
        await pending.abort();
      }
    } finally {
      await storage.close();
    }
  });
});

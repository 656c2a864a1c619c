/**
 * Writers killed by SIGKILL during puts into a local output (records in `datasets.sqlite3`), then
 * `fsck --repair`: consistent — no torn object, no mismatch left, no orphan, no missing object.
 * Some writers are killed exactly between a file's rename and its record's commit (a fault
 * injector in the child, see test/support/crash-writer.ts), the rest at random instants. Before
 * intents, a kill in that window left a record whose size and checksum no longer matched its
 * file, which `fsck --repair` rightly refused to bless. Puts of new objects (no intent: one
 * transaction) killed in the same window leave orphans, which `fsck --repair` registers.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Butler, DatasetRecords, filesBelow, fsckRepository } from "../../src/testing/index.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));
const WRITER = fileURLToPath(new URL("../support/crash-writer.ts", import.meta.url));

/** Runs one writer; kills it after `killAfterMs` unless it ended; resolves with how it ended. */
function writer(out: string, w: number, env: NodeJS.ProcessEnv, killAfterMs?: number): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, out, String(w), "400"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", () => undefined);
    // the kill is timed from the first acknowledged put, so it lands among puts, not in start-up
    if (killAfterMs !== undefined) child.stdout.once("data", () => setTimeout(() => child.kill("SIGKILL"), killAfterMs));
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe("writers killed by SIGKILL during puts, then fsck --repair", function () {
  this.timeout(120_000);
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-crash-"));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("leaves a consistent output: 0 torn objects, 0 mismatches, interrupted puts recorded", async () => {
    const out = join(work, "out");
    await (await Butler.create({ inputs: INPUT, outputs: out })).close();
    const env = { ...process.env, SKYBUTLER_TMPDIR: join(work, "tmp") };
    await mkdir(env.SKYBUTLER_TMPDIR, { recursive: true });

    // killed right after a rename: 2 rounds of 2 writers at once
    let inWindow = 0;
    for (let round = 0; round < 2; round++) {
      const runs = await Promise.all([0, 1].map((w) => writer(out, round * 2 + w, { ...env, SKYBUTLER_TEST_KILL_AFTER_RENAME: "0.05" })));
      for (const run of runs) expect(run.signal, run.stderr).to.equal("SIGKILL");
      inWindow += runs.length;
    }
    // puts of new objects (no intent) killed right after a rename: orphans for fsck to register
    const fresh = await Promise.all([0, 1].map((w) => writer(out, 20 + w, { ...env, SKYBUTLER_TEST_KILL_AFTER_RENAME: "0.05", SKYBUTLER_TEST_NEW_KEYS: "1" })));
    for (const run of fresh) expect(run.signal, run.stderr).to.equal("SIGKILL");
    inWindow += fresh.length;
    // killed at random instants among puts
    for (let round = 0; round < 2; round++) {
      const runs = await Promise.all([0, 1].map((w) => writer(out, 10 + round * 2 + w, env, 50 + Math.floor(Math.random() * 400))));
      for (const run of runs) expect(run.signal, run.stderr).to.equal("SIGKILL");
    }

    const repaired = await fsckRepository(out, { repair: true });
    const after = await fsckRepository(out);
    expect(after.mismatches, "mismatches left after fsck --repair").to.deep.equal([]);
    expect({ missing: after.missing, orphans: after.orphans, mismatches: after.mismatches, interrupted: after.interrupted }).to.deep.equal({ missing: [], orphans: [], mismatches: [], interrupted: [] });
    expect(after.damaged).to.equal(false);
    // the temp files the killed writers left beside their destinations went with --repair
    expect(filesBelow(out).filter((f) => /\.tmp/.test(f)), "temp files left after fsck --repair").to.deep.equal([]);
    expect(after.pendingWrites.files).to.equal(0);
    expect(repaired.mismatches, "mismatches fsck --repair could not repair").to.deep.equal([]);
    // the kills in the window did leave interrupted puts (stale or absent records), and repair recorded them
    expect(repaired.repaired.adopted.length, `${inWindow} kills after a rename`).to.be.at.least(1);
    expect(repaired.repaired.registered.length, "new objects published by writers killed before their record").to.be.at.least(1);

    // 0 torn: every recorded object is whole JSON with its record's size and checksum
    const records = DatasetRecords.open(join(out, "datasets.sqlite3"), { readonly: true });
    try {
      const all = records.find("jsonThing");
      expect(all.length).to.be.at.least(3);
      for (const record of all) {
        const bytes = await readFile(join(out, record.key));
        expect(JSON.parse(bytes.toString("utf8"))).to.have.property("worker");
        expect([record.size, record.checksum]).to.deep.equal([bytes.length, `sha256:${createHash("sha256").update(bytes).digest("hex")}`]);
      }
      expect(records.intents()).to.deep.equal([]);
    } finally {
      records.close();
    }
    console.log(`      ${inWindow} writers killed right after a rename, 4 at random; fsck --repair recorded ${repaired.repaired.adopted.length} interrupted put(s), registered ${repaired.repaired.registered.length} orphan(s), removed ${repaired.pendingWrites.files} temp file(s)`);
  });
});

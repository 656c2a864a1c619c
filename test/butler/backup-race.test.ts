/**
 * `put(…, {doBackup: true})` from several processes at once to ONE data id: no acknowledged
 * version may be lost — each must end up as the current object or as one of its `~N` backups.
 * (Before the fix, two writers could both back up the same old version and then replace each
 * other's new one: 20 of 20 trials lost a version.)
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { Butler } from "../../src/testing/index.js";

const run = promisify(execFile);
const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));
const WORKER = fileURLToPath(new URL("../support/backup-worker.ts", import.meta.url));

describe("concurrent doBackup puts from several processes", function () {
  this.timeout(120_000);
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-backup-race-"));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("keep every acknowledged version as the current object or a ~N backup", async () => {
    const out = join(work, "out");
    const butler = await Butler.create({ inputs: INPUT, outputs: out });
    await butler.put({ worker: -1, i: 0 }, "jsonThing", { visit: 1 }); // a plain put: the first version
    await butler.close();
    const workers = 4;
    const count = 12;
    const outputs = await Promise.all(
      Array.from({ length: workers }, (_, w) => run(process.execPath, ["--import", "tsx", WORKER, out, String(w), String(count)], { env: { ...process.env } })),
    );
    const acked = outputs.flatMap((o) => o.stdout.split("\n").filter((l) => l.startsWith("ack ")));
    expect(acked).to.have.length(workers * count);

    const dir = join(out, "json");
    const names = (await readdir(dir)).filter((n) => n === "v1.json" || n.startsWith("v1.json~"));
    const kept = new Set<string>();
    for (const name of names) {
      const { worker, i } = JSON.parse(await readFile(join(dir, name), "utf8")) as { worker: number; i: number };
      kept.add(`${worker}:${i}`);
    }
    const lost = ["-1:0", ...acked.map((l) => l.slice(4))].filter((v) => !kept.has(v));
    expect(lost, `${lost.length} of ${workers * count + 1} versions lost`).to.deep.equal([]);
  });
});

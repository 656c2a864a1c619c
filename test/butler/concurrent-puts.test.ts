import { expect } from "chai";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { Butler, DatasetRecords } from "../../src/testing/index.js";

const run = promisify(execFile);
const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));
const WORKER = fileURLToPath(new URL("../support/put-worker.ts", import.meta.url));

describe("several processes putting into one output at once", function () {
  this.timeout(120000);
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-concurrent-"));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("records every put, and every record matches the file that won", async () => {
    const out = join(work, "out");
    await (await Butler.create({ inputs: INPUT, outputs: out })).close();
    const workers = 3;
    const count = 24;
    await Promise.all(
      Array.from({ length: workers }, (_, w) =>
        run(process.execPath, ["--import", "tsx", WORKER, out, String(w), String(count)], { env: { ...process.env } }),
      ),
    );
    const records = DatasetRecords.open(join(out, "datasets.sqlite3"), { readonly: true });
    try {
      expect(records.count("pickled")).to.equal(workers * 4); // per worker: visits 1..4
      expect(records.count("jsonThing")).to.equal(4); // shared: the last writer of each visit wins
      for (const type of ["pickled", "jsonThing"]) {
        for (const record of records.find(type)) {
          const bytes = await readFile(join(out, record.key));
          expect(record.size, record.key).to.equal(bytes.length);
          expect(record.checksum, record.key).to.equal("sha256:" + createHash("sha256").update(bytes).digest("hex"));
        }
      }
    } finally {
      records.close();
    }
  });
});

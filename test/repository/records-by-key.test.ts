/**
 * Two data ids that a template maps to ONE file (`json/v%(visit)d.json` ignores `ccd`): the put
 * through the second replaces the first's record instead of leaving it, stale, beside its own
 * (records are keyed by the stored object; the store contract is in the RecordStore conformance
 * suite). Before the fix the output had two records, the first one's checksum no longer its file's.
 */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Butler, DatasetRecords, fsckRepository } from "../../src/testing/index.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

describe("two data ids naming one stored object", () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-records-key-"));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("have one record, the last put's, and fsck finds nothing stale", async () => {
    const out = join(work, "out");
    const butler = await Butler.create({ inputs: INPUT, outputs: out });
    try {
      await butler.put({ n: 1 }, "jsonThing", { visit: 1 });
      await butler.put({ n: 2 }, "jsonThing", { visit: 1, ccd: 5 });
    } finally {
      await butler.close();
    }
    const records = DatasetRecords.open(join(out, "datasets.sqlite3"), { readonly: true });
    try {
      expect(records.find("jsonThing").map((r) => [r.dataId, r.key])).to.deep.equal([[{ ccd: 5, visit: 1 }, "json/v1.json"]]);
    } finally {
      records.close();
    }
    const report = await fsckRepository(out);
    expect([report.records, report.mismatches.length, report.damaged]).to.deep.equal([1, 0, false]);
  });
});

import { expect } from "chai";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Butler, DatasetRecords, Exposure, Header, MaskedImage } from "../../src/testing/index.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

/**
 * A record's checksum is the SHA-256 of the published file whether the hash ran on the calling
 * thread (small files) or on the hashing worker (past a MiB), for objects written by a formatter
 * and for streamed stored bytes.
 */
describe("dataset records of large puts", function () {
  this.timeout(60000);
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-record-checksum-"));
  });
  after(() => rm(work, { recursive: true, force: true }));

  async function expectRecordsMatchFiles(out: string, count: number): Promise<void> {
    const records = DatasetRecords.open(join(out, "datasets.sqlite3"), { readonly: true });
    try {
      const all = records.find("calexp");
      expect(all).to.have.length(count);
      for (const record of all) {
        const bytes = await readFile(join(out, record.key));
        expect(bytes.length, record.key).to.be.greaterThan(1024 * 1024); // past the calling thread's limit
        expect([record.size, record.checksum], record.key).to.deep.equal([bytes.length, `sha256:${createHash("sha256").update(bytes).digest("hex")}`]);
      }
    } finally {
      records.close();
    }
  }

  it("records the SHA-256 of Exposures put at once, each different", async () => {
    const out = join(work, "put");
    const butler = await Butler.create({ inputs: INPUT, outputs: { root: out, mode: "rw" } });
    try {
      await Promise.all(
        [1, 2, 3].map((visit) => {
          const mi = MaskedImage.create(700, 600);
          for (let i = 0; i < mi.image.data.length; i++) mi.image.data[i] = (i * visit) % 977;
          return butler.put(new Exposure(mi, Header.fromObject({ VISIT: visit })), "calexp", { visit, ccd: 0 });
        }),
      );
    } finally {
      await butler.close();
    }
    await expectRecordsMatchFiles(out, 3);
  });

  it("records the SHA-256 of stored bytes streamed in", async () => {
    const out = join(work, "stored");
    const butler = await Butler.create({ inputs: INPUT, outputs: { root: out, mode: "rw" } });
    try {
      await butler.put(new Exposure(MaskedImage.create(800, 500), Header.fromObject({ VISIT: 1 })), "calexp", { visit: 1, ccd: 0 });
      const first = fileURLToPath(await butler.getUri("calexp", { visit: 1, ccd: 0 }));
      await butler.putStored(createReadStream(first), "calexp", { visit: 2, ccd: 0 });
    } finally {
      await butler.close();
    }
    await expectRecordsMatchFiles(out, 2);
  });
});

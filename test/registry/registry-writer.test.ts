/**
 * RegistryWriter: rows added one file at a time make the same tables buildRegistry makes; a row
 * registered with the same values is unchanged, with other values refused; the caller's publish
 * step runs inside the transaction, so its failure adds no row.
 */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildRegistry } from "../../registry/build-registry.js";
import { RegistryWriter } from "../../registry/sqlite/registry-writer.js";
import { RegistryError } from "../../src/errors.js";
import { dumpRegistry } from "../support/registry-dump.js";

const ROWS = [
  { visit: 1, ccd: 0, filter: "g", expTime: 30, taiObs: "2026-03-01T03:00:00" },
  { visit: 1, ccd: 1, filter: "g", expTime: 30, taiObs: "2026-03-01T03:00:00" },
  { visit: 2, ccd: 0, filter: "r", expTime: 15, taiObs: "2026-03-02T03:00:00" },
];

describe("RegistryWriter", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "skybutler-registry-writer-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("adds rows into the tables buildRegistry makes, and leaves a registered row alone", () => {
    const writer = RegistryWriter.open(join(dir, "added.sqlite3"), { table: "raw" });
    try {
      expect(ROWS.map((row) => writer.add(row))).to.deep.equal(["added", "added", "added"]);
      expect(writer.check(ROWS[0]!)).to.equal("unchanged");
      expect(writer.add(ROWS[2]!)).to.equal("unchanged");
    } finally {
      writer.close();
    }
    buildRegistry(join(dir, "built.sqlite3"), ROWS);
    expect(dumpRegistry(join(dir, "added.sqlite3"))).to.deep.equal(dumpRegistry(join(dir, "built.sqlite3")));
  });

  it("refuses a row that contradicts a registered one, in either table, and one with a column the table lacks", () => {
    const writer = RegistryWriter.open(join(dir, "r.sqlite3"), { table: "raw" });
    try {
      writer.add(ROWS[0]!);
      expect(() => writer.check({ ...ROWS[0]!, expTime: 31 })).to.throw(RegistryError, /visit=1 ccd=0 is registered in "raw" with expTime 30, not 31/);
      expect(() => writer.add({ ...ROWS[0]!, ccd: 5, filter: "r" })).to.throw(RegistryError, /visit=1 is registered in "raw_visit" with filter "g", not "r"/);
      expect(() => writer.add({ ...ROWS[1]!, airmass: 1.2 })).to.throw(RegistryError, /registry table "raw" has no column "airmass"/);
      expect(() => writer.add({ ccd: 3, filter: "g" })).to.throw(RegistryError, /the row lacks "visit", which names a row of registry table "raw"/);
      expect(() => writer.add({ ...ROWS[1]!, 'x"y': 1 })).to.throw(RegistryError, /invalid registry column name/);
    } finally {
      writer.close();
    }
    expect(dumpRegistry(join(dir, "r.sqlite3")).map(([t, rows]) => [t, rows.length])).to.deep.equal([
      ["raw", 1],
      ["raw_visit", 1],
    ]);
  });

  it("runs publish inside the transaction: when it throws, no row is added", () => {
    const writer = RegistryWriter.open(join(dir, "p.sqlite3"), { table: "raw", visitTable: false });
    try {
      expect(() => writer.add(ROWS[0]!, () => {
        throw new Error("rename failed");
      })).to.throw(Error, "rename failed");
      expect(writer.check(ROWS[0]!)).to.equal("added");
      let published = 0;
      expect(writer.add(ROWS[0]!, () => void published++)).to.equal("added");
      expect(published).to.equal(1);
    } finally {
      writer.close();
    }
    expect(dumpRegistry(join(dir, "p.sqlite3"))).to.deep.equal([["raw", [ROWS[0]]]]);
  });
});

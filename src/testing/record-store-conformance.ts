/**
 * The RecordStore conformance suite: the same `it()`s against every record store (sqlite beside
 * local files, PostgreSQL, record objects on an object store), so `subset` and `fsck` see the same
 * records whichever store a repository uses.
 *
 * ```ts
 * describeRecordStoreConformance({ name: "PgRecordStore", create: async () => ({ store, cleanup }) });
 * ```
 *
 * @packageDocumentation
 */
import { expect } from "chai";
import { canonicalDataId, type DatasetRecord } from "../repository/dataset-records.js";
import type { NewRecord, RecordStore } from "../repository/records/record-store.js";

/** A fresh, empty, writable store. */
export interface RecordStoreFixture {
  store: RecordStore;
  /** Closes the store and removes what the fixture made. */
  cleanup(): Promise<void>;
}

/** How to run the suite on one store. */
export interface RecordStoreConformanceOptions {
  /** Suite title. */
  name: string;
  /** Makes a fresh, empty, writable store (called before each test). */
  create(): Promise<RecordStoreFixture>;
}

function rec(datasetType: string, dataId: Record<string, string | number>, n = 1): NewRecord {
  return { datasetType, dataId, key: `${datasetType}/${canonicalDataId(dataId).replace(/[^a-z0-9]/gi, "_")}.fits`, size: 100 * n, checksum: `sha256:${String(n).padStart(64, "0")}` };
}

/** Declares the RecordStore conformance suite for one store (mocha `describe`/`it`). */
export function describeRecordStoreConformance(options: RecordStoreConformanceOptions): void {
  describe(`RecordStore conformance: ${options.name}`, function () {
    this.timeout(60_000);
    let fixture: RecordStoreFixture | undefined;
    const store = (): RecordStore => fixture!.store;
    beforeEach(async () => {
      fixture = await options.create();
    });
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    it("records a dataset and reads it back directly; an unknown one is undefined", async () => {
      const before = Date.now();
      await store().record(rec("calexp", { visit: 1, ccd: 2 }));
      const got = (await store().get("calexp", { ccd: 2, visit: 1 })) as DatasetRecord;
      expect({ ...got, created: undefined }).to.deep.equal({ ...rec("calexp", { ccd: 2, visit: 1 }), created: undefined });
      expect(Date.parse(got.created)).to.be.within(before - 5000, Date.now() + 5000);
      expect(await store().get("calexp", { visit: 1, ccd: 3 })).to.equal(undefined);
      expect(await store().get("src", { visit: 1, ccd: 2 })).to.equal(undefined);
    });

    it("keeps one record per type and data id: a rewrite replaces it", async () => {
      await store().record(rec("calexp", { visit: 1, ccd: 2 }, 1));
      await store().record(rec("calexp", { ccd: 2, visit: 1 }, 2));
      expect(await store().count()).to.equal(1);
      expect((await store().get("calexp", { visit: 1, ccd: 2 }))?.size).to.equal(200);
    });

    it("keeps one record per stored object: recording a key replaces a record of that key under another data id or type", async () => {
      // two data ids that a template maps to one file (a key that ignores some data id key)
      const first = { ...rec("calexp", { visit: 1, ccd: 2 }, 1), key: "calexp/v1.fits" };
      const second = { ...rec("calexp", { visit: 1, ccd: 3 }, 2), key: "calexp/v1.fits" };
      await store().record(first);
      await store().record(rec("calexp", { visit: 9, ccd: 9 }, 3)); // another object: untouched
      await store().record(second);
      expect(await store().get("calexp", { visit: 1, ccd: 2 }), "the record of the overwritten data id").to.equal(undefined);
      expect((await store().get("calexp", { visit: 1, ccd: 3 }))?.checksum).to.equal(second.checksum);
      expect(await store().count()).to.equal(2);
      // another dataset type naming the same object takes it over too
      await store().record({ ...rec("src", { visit: 1 }, 4), key: "calexp/v1.fits" });
      const all: DatasetRecord[] = [];
      for await (const record of store().all()) all.push(record);
      expect(all.filter((r) => r.key === "calexp/v1.fits").map((r) => [r.datasetType, r.size])).to.deep.equal([["src", 400]]);
      expect(await store().count()).to.equal(2);
    });

    it("finds by partial data id, comparing values with their JSON type, sorted by canonical data id", async () => {
      for (const [visit, ccd] of [[2, 0], [1, 1], [1, 0], [3, 0]] as const) await store().record(rec("calexp", { visit, ccd }));
      await store().record(rec("calexp", { visit: "1", ccd: 5 }));
      await store().record(rec("src", { visit: 1, ccd: 0 }));
      const ids = async (partial: Record<string, string | number>) => (await store().find("calexp", partial)).map((r) => canonicalDataId(r.dataId));
      expect(await ids({ visit: 1 })).to.deep.equal(['{"ccd":0,"visit":1}', '{"ccd":1,"visit":1}']);
      expect(await ids({ visit: "1" })).to.deep.equal(['{"ccd":5,"visit":"1"}']);
      expect(await ids({ ccd: 0 })).to.deep.equal(['{"ccd":0,"visit":1}', '{"ccd":0,"visit":2}', '{"ccd":0,"visit":3}']);
      expect(await ids({})).to.have.length(5);
      expect(await ids({ visit: 9 })).to.deep.equal([]);
      const texts = (await store().findDataIds("calexp", { visit: 1 })).map((r) => [r.text, r.dataId]);
      expect(texts).to.deep.equal([['{"ccd":0,"visit":1}', { ccd: 0, visit: 1 }], ['{"ccd":1,"visit":1}', { ccd: 1, visit: 1 }]]);
      expect(await store().count("calexp")).to.equal(5);
      expect(await store().count("src")).to.equal(1);
      expect(await store().count("nothing")).to.equal(0);
    });

    it("keeps data ids of any text (slashes, quotes, unicode) intact", async () => {
      const odd = { field: 'a/b "c" é ✓ \\ %2F', visit: 7 };
      await store().record(rec("odd", odd));
      expect((await store().get("odd", odd))?.dataId).to.deep.equal(odd);
      expect((await store().findDataIds("odd", { field: odd.field }))[0]?.dataId).to.deep.equal(odd);
    });

    it("lists every record, and removes one (then says there was none)", async () => {
      for (let visit = 0; visit < 25; visit++) await store().record(rec(visit % 2 === 0 ? "calexp" : "src", { visit }));
      const all: DatasetRecord[] = [];
      for await (const record of store().all()) all.push(record);
      expect(all).to.have.length(25);
      expect(new Set(all.map((r) => `${r.datasetType}${canonicalDataId(r.dataId)}`)).size).to.equal(25);
      expect(await store().remove("calexp", { visit: 4 })).to.equal(true);
      expect(await store().remove("calexp", { visit: 4 })).to.equal(false);
      expect(await store().get("calexp", { visit: 4 })).to.equal(undefined);
      expect(await store().count()).to.equal(24);
    });
  });
}

/**
 * buildCalibRegistry and the validity-range condition of SqliteRegistry.lookup.
 */
import { expect } from "chai";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { buildCalibRegistry } from "../../registry/build-registry.js";
import type { SqliteRegistry } from "../../registry/sqlite/sqlite-registry.js";
import { RegistryError } from "../../src/errors.js";
import { openRegistry, useTempDir } from "./registry-fixture.js";
import { rejection } from "../../src/testing/assertions.js";

const PERIODS = [
  { calibDate: "2026-02-28", validStart: "2026-02-28T00:00:00.000", validEnd: "2026-03-01T23:59:59.999" },
  { calibDate: "2026-03-02", validStart: "2026-03-02T00:00:00.000", validEnd: "2026-03-31T23:59:59.999" },
];

describe("calibration registry", () => {
  let registry!: SqliteRegistry;
  after(async () => {
    await (registry as SqliteRegistry | undefined)?.close();
  });
  const temp = useTempDir("calib-registry");
  before(() => {
    const path = join(temp.dir, "calibRegistry.sqlite3");
    const result = buildCalibRegistry(path, {
      flat: PERIODS.flatMap((p) => ["g", "r"].flatMap((filter) => [0, 1].map((ccd) => ({ ...p, filter, ccd })))),
      bias: PERIODS.flatMap((p) => [0, 1].map((ccd) => ({ ...p, ccd }))),
    });
    expect(result.tables).to.deep.equal({ flat: 8, bias: 4 });
    ({ registry } = openRegistry(path));
  });

  it("writes one table per calibration type with its validity columns", async () => {
    expect(registry.tables()).to.deep.equal(["bias", "flat"]);
    expect(registry.columns("flat")).to.have.members(["calibDate", "validStart", "validEnd", "filter", "ccd"]);
    expect(registry.columnTypes("flat")).to.include({ ccd: "int", filter: "str", validStart: "str" });
  });

  it("selects the rows whose validity contains a value, both ends inclusive", async () => {
    const at = async (value: string) => (await registry.lookup(["calibDate"], ["flat"], { filter: "g", ccd: 1 }, { range: { value, start: "validStart", end: "validEnd" } }));
    expect(await at("2026-03-01T03:00:00.000")).to.deep.equal([{ calibDate: "2026-02-28" }]);
    expect(await at("2026-03-02T04:00:00.000")).to.deep.equal([{ calibDate: "2026-03-02" }]);
    expect(await at("2026-03-02T00:00:00.000")).to.deep.equal([{ calibDate: "2026-03-02" }]);
    expect(await at("2026-03-01T23:59:59.999")).to.deep.equal([{ calibDate: "2026-02-28" }]);
    expect(await at("2026-04-01T00:00:00.000")).to.deep.equal([]);
    // without the range, every period
    expect(await registry.lookup(["calibDate"], ["flat"], { filter: "g", ccd: 1 })).to.have.length(2);
  });

  it("validates the range's columns against the schema (never puts an unknown name in SQL)", async () => {
    const range = (start: string) => ({ range: { value: "x", start, end: "validEnd" } });
    expect(await rejection(registry.lookup(["calibDate"], ["flat"], {}, range("validFrom")))).to.be.instanceOf(RegistryError).with.property("message").that.matches(/validFrom.*validity column/);
    expect(await rejection(registry.lookup(["calibDate"], ["flat"], {}, range('validStart" OR 1=1 --')))).to.be.instanceOf(RegistryError);
    expect(await rejection(registry.lookup(["calibDate"], ["flat"], {}, { range: { value: null as unknown as string, start: "validStart", end: "validEnd" } }))).to.be.instanceOf(RegistryError);
  });

  it("refuses rows without validity, empty tables, backwards ranges and bad names, leaving no file", async () => {
    const path = join(temp.dir, "bad.sqlite3");
    expect(() => buildCalibRegistry(path, { flat: [{ calibDate: "x", ccd: 0 }] })).to.throw(RegistryError, /lacks "validStart" or "validEnd"/);
    expect(() => buildCalibRegistry(path, { flat: [] })).to.throw(RegistryError, /no rows/);
    expect(() => buildCalibRegistry(path, { flat: [{ validStart: "2026-02", validEnd: "2026-01" }] })).to.throw(RegistryError, /ends its validity before it starts/);
    expect(() => buildCalibRegistry(path, { "fl at": [{ validStart: "a", validEnd: "b" }] })).to.throw(RegistryError, /invalid registry table name/);
    expect(existsSync(path)).to.equal(false);
    expect(readdirSync(temp.dir).filter((n) => n.includes(".tmp-"))).to.deep.equal([]);
  });

  it("takes other validity column names", async () => {
    const path = join(temp.dir, "named.sqlite3");
    buildCalibRegistry(path, { dark: [{ calibDate: "d", from: "1", to: "2" }] }, { validStartName: "from", validEndName: "to" });
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT "from", "to" FROM dark').all()).to.deep.equal([{ from: "1", to: "2" }]);
    } finally {
      db.close();
    }
  });
});

import { expect } from "chai";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SqliteRegistry } from "../../registry/sqlite/sqlite-registry.js";
import { ClosedError, RegistryError } from "../../src/errors.js";
import { RefCountedFile } from "../../src/temp/index.js";
import { useTempDir, openRegistry, sampleRegistry } from "./registry-fixture.js";
import { rejection, thrown } from "../../src/testing/assertions.js";
import Database from "better-sqlite3";

describe("SqliteRegistry", () => {
  let registry!: SqliteRegistry;
  let path: string;
  // registered before useTempDir's hooks, so the registry is closed before its directory goes
  after(async () => {
    await (registry as SqliteRegistry | undefined)?.close(); // undefined when before() failed
  });
  const temp = useTempDir("sqlite-registry");
  before(() => {
    ({ registry, path } = sampleRegistry(temp.dir));
  });

  it("lists tables, columns and column types from the schema", async () => {
    expect(registry.tables()).to.deep.equal(["raw", "raw_visit"]);
    expect(registry.columns("raw")).to.deep.equal(["visit", "ccd", "filter", "expTime", "taiObs", "dateObs", "field"]);
    expect(registry.columns("raw_visit")).to.deep.equal(["visit", "filter", "expTime", "taiObs", "dateObs", "field"]);
    expect(registry.columnTypes("raw")).to.deep.include({ visit: "int", ccd: "int", filter: "str", expTime: "float" });
    expect(registry.columns("nope")).to.deep.equal([]);
    expect(registry.columnTypes("nope")).to.deep.equal({});
  });

  it("looks up distinct values, sorted by the properties", async () => {
    expect(await registry.lookup(["filter"], ["raw"], { visit: 1 })).to.deep.equal([{ filter: "g" }]);
    expect(await registry.lookup(["visit"], ["raw"], { filter: "g" })).to.deep.equal([{ visit: 1 }, { visit: 3 }]);
    expect(await registry.lookup(["filter", "visit"], ["raw"], {})).to.deep.equal([
      { filter: "g", visit: 1 },
      { filter: "g", visit: 3 },
      { filter: "r", visit: 2 },
      { filter: "r", visit: 4 },
    ]);
  });

  it("binds values, never caches them with the statement", async () => {
    expect(await registry.lookup(["filter"], ["raw"], { visit: 1 })).to.deep.equal([{ filter: "g" }]);
    expect(await registry.lookup(["filter"], ["raw"], { visit: 2 })).to.deep.equal([{ filter: "r" }]);
    expect(await registry.lookup(["filter"], ["raw"], { visit: "2" })).to.deep.equal([{ filter: "r" }]);
  });

  it("constrains only by data-id keys that are columns of the joined tables", async () => {
    expect(await registry.lookup(["ccd"], ["raw"], { visit: 4, tract: 9, "bad key; --": "x" })).to.deep.equal([{ ccd: 0 }]);
    expect(await registry.lookup(["ccd"], ["raw_visit", "raw"], { visit: 4, field: "F2" })).to.deep.equal([{ ccd: 0 }]);
    expect(await registry.lookup(["ccd"], ["raw"], { visit: 4, field: "F1" })).to.deep.equal([]);
  });

  it("natural-joins tables on their shared columns", async () => {
    const rows = await registry.lookup(["visit", "ccd"], ["raw", "raw_visit"], { filter: "r" });
    expect(rows).to.deep.equal([
      { visit: 2, ccd: 0 },
      { visit: 2, ccd: 1 },
      { visit: 2, ccd: 2 },
      { visit: 4, ccd: 0 },
    ]);
  });

  it("refuses unknown tables and properties, naming the known ones", async () => {
    expect(await rejection(registry.lookup(["filter"], ['raw" ; DROP TABLE raw; --'], {}))).to.be.instanceOf(RegistryError).with.property("message").that.matches(/unknown registry table/)
      .and.includes("raw, raw_visit");
    expect(await rejection(registry.lookup(["nope"], ["raw"], {}))).to.be.instanceOf(RegistryError).with.property("message").that.matches(/"nope" is not a column/)
      .and.includes("visit, ccd, filter");
    expect(await rejection(registry.lookup([], ["raw"], {}))).to.be.instanceOf(RegistryError);
    expect(await rejection(registry.lookup(["visit"], [], {}))).to.be.instanceOf(RegistryError);
    expect(await registry.lookup(["visit"], ["raw"], { visit: 1 })).to.have.length(1); // the table survived
  });

  it("holds its lease until close, then releases it and refuses lookups", async () => {
    const file = new RefCountedFile(path, { deleteOnZero: false });
    const lease = file.acquire();
    const second = SqliteRegistry.open(lease);
    expect(file.refs).to.equal(1);
    expect(lease.released).to.equal(false);
    await second.close();
    expect(lease.released).to.equal(true);
    expect(file.refs).to.equal(0);
    expect(second.closed).to.equal(true);
    await second.close(); // idempotent
    expect(await rejection(second.lookup(["visit"], ["raw"], {}))).to.be.instanceOf(ClosedError);
  });

  it("refuses a file that is not sqlite with a RegistryError, releasing the lease", async () => {
    const bogus = join(temp.dir, "not-a-registry.sqlite3");
    writeFileSync(bogus, "SIMPLE  =                    T / this is a FITS file, not sqlite\n".repeat(20));
    const file = new RefCountedFile(bogus, { deleteOnZero: false });
    const lease = file.acquire();
    expect(() => SqliteRegistry.open(lease))
      .to.throw(RegistryError, /not a sqlite database/)
      .with.property("code", "E_REGISTRY");
    expect(lease.released).to.equal(true);
  });

  it("refuses a missing file with a RegistryError", async () => {
    expect(() => openRegistry(join(temp.dir, "missing.sqlite3"))).to.throw(RegistryError, /does not exist/);
  });

  it("refuses a registry whose view is recursive (a lookup on it would never end), at once", async () => {
    const path = join(temp.dir, "recursive.sqlite3");
    const db = new Database(path);
    db.exec("CREATE TABLE raw_visit (visit INTEGER, filter TEXT)");
    db.exec("CREATE VIEW raw AS WITH RECURSIVE n(visit) AS (SELECT 1 UNION ALL SELECT visit + 1 FROM n) SELECT visit, 0 AS ccd, 'g' AS filter FROM n");
    db.close();
    const started = Date.now();
    const err = thrown(() => openRegistry(path));
    expect(err).to.be.instanceOf(RegistryError);
    expect(err.message).to.include('view "raw" is recursive');
    expect(Date.now() - started).to.be.below(1000);
    // a plain view is fine
    const plain = join(temp.dir, "plain-view.sqlite3");
    const db2 = new Database(plain);
    db2.exec("CREATE TABLE t (visit INTEGER, filter TEXT); INSERT INTO t VALUES (1, 'g'); CREATE VIEW raw AS SELECT visit, filter FROM t");
    db2.close();
    const { registry } = openRegistry(plain);
    expect(await registry.lookup(["filter"], ["raw"], { visit: 1 })).to.deep.equal([{ filter: "g" }]);
    await registry.close();
  });
});

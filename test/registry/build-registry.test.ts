import { expect } from "chai";
import Database from "better-sqlite3";
import { existsSync, readdirSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildRegistry } from "../../registry/build-registry.js";
import { RegistryError } from "../../src/errors.js";
import { useTempDir, sampleRows } from "./registry-fixture.js";

function dump(path: string, table: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT rowid, * FROM "${table}"`).all();
  } finally {
    db.close();
  }
}

function declaredTypes(path: string, table: string): Record<string, string> {
  const db = new Database(path, { readonly: true });
  try {
    const info = db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string; type: string }>;
    return Object.fromEntries(info.map((c) => [c.name, c.type]));
  } finally {
    db.close();
  }
}

describe("buildRegistry", () => {
  const temp = useTempDir("build-registry");

  it("writes raw (one row per visit×ccd) and raw_visit (one row per visit) with typed columns", async () => {
    const path = join(temp.dir, "a.sqlite3");
    const result = buildRegistry(path, sampleRows());
    expect(result).to.deep.equal({ path, tables: { raw: 10, raw_visit: 4 } });
    expect(dump(path, "raw")).to.have.length(10);
    expect(dump(path, "raw_visit")).to.deep.equal([
      { rowid: 1, visit: 1, filter: "g", expTime: 30.5, taiObs: "2024-01-01T00:00:00", dateObs: "2024-01-01", field: "F1" },
      { rowid: 2, visit: 2, filter: "r", expTime: 30.5, taiObs: "2024-01-02T00:00:00", dateObs: "2024-01-02", field: "F1" },
      { rowid: 3, visit: 3, filter: "g", expTime: 30.5, taiObs: "2024-01-03T00:00:00", dateObs: "2024-01-03", field: "F2" },
      { rowid: 4, visit: 4, filter: "r", expTime: 30.5, taiObs: "2024-01-04T00:00:00", dateObs: "2024-01-04", field: "F2" },
    ]);
    expect(declaredTypes(path, "raw")).to.deep.equal({
      visit: "INTEGER", ccd: "INTEGER", filter: "TEXT", expTime: "REAL", taiObs: "TEXT", dateObs: "TEXT", field: "TEXT",
    });
  });

  it("is deterministic: the same rows in any order give the same tables", async () => {
    const a = join(temp.dir, "ordered.sqlite3");
    const b = join(temp.dir, "shuffled.sqlite3");
    buildRegistry(a, sampleRows());
    const shuffled = sampleRows().reverse();
    [shuffled[0], shuffled[5]] = [shuffled[5]!, shuffled[0]!];
    buildRegistry(b, shuffled);
    expect(dump(b, "raw")).to.deep.equal(dump(a, "raw"));
    expect(dump(b, "raw_visit")).to.deep.equal(dump(a, "raw_visit"));
    expect((dump(a, "raw")[0] as { visit: number; ccd: number })).to.include({ visit: 1, ccd: 0 });
  });

  it("honours table and visitTable options", async () => {
    const path = join(temp.dir, "custom.sqlite3");
    const result = buildRegistry(path, [{ visit: 1, ccd: 0 }], { table: "exposure", visitTable: false });
    expect(result.tables).to.deep.equal({ exposure: 1 });
    expect(dump(path, "exposure")).to.deep.equal([{ rowid: 1, visit: 1, ccd: 0 }]);
  });

  it("replaces the file atomically and leaves the old one intact when a build fails", async () => {
    const path = join(temp.dir, "atomic.sqlite3");
    buildRegistry(path, sampleRows());
    const before = readFileSync(path);
    const duplicate = [...sampleRows(), { ...sampleRows()[0]! }];
    expect(() => buildRegistry(path, duplicate)).to.throw(RegistryError, /duplicate rows for \(visit, ccd\)/);
    expect(readFileSync(path).equals(before)).to.equal(true);
    expect(readdirSync(temp.dir).filter((n) => n.includes(".tmp-"))).to.deep.equal([]);
  });

  it("refuses a per-visit column that differs within a visit", async () => {
    const rows = sampleRows();
    rows[1]!.filter = "z";
    expect(() => buildRegistry(join(temp.dir, "inconsistent.sqlite3"), rows)).to.throw(RegistryError, /"filter" differs within visit 1/);
    expect(existsSync(join(temp.dir, "inconsistent.sqlite3"))).to.equal(false);
  });

  it("refuses bad names and values", async () => {
    const path = join(temp.dir, "bad.sqlite3");
    expect(() => buildRegistry(path, [{ visit: 1, 'x"; DROP': 1 }])).to.throw(RegistryError, /invalid registry column name/);
    expect(() => buildRegistry(path, [{ visit: 1 }], { table: "raw table" })).to.throw(RegistryError, /invalid registry table name/);
    expect(() => buildRegistry(path, [{ visit: 1, expTime: Number.NaN }])).to.throw(RegistryError, /non-finite/);
    expect(() => buildRegistry(path, [{ ccd: 1 }])).to.throw(RegistryError, /no "visit" column/);
    writeFileSync(path, "x");
    expect(() => buildRegistry(path, [{ visit: 1 }], { visitColumns: ["nope"] })).to.throw(RegistryError, /"nope" is not in the rows/);
    expect(readFileSync(path, "utf8")).to.equal("x");
  });
});

import { expect } from "chai";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { generateSampleRepo } from "../../scripts/sample-data.js";

const COMMITTED = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

function dumpRegistry(path: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>;
    return tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).all()]);
  } finally {
    db.close();
  }
}

describe("the sample repository data/testcam-repo", () => {
  let fresh: string;
  before(async () => {
    fresh = await mkdtemp(join(tmpdir(), "skybutler-sample-"));
    await generateSampleRepo(join(fresh, "repo"));
  });
  after(() => rm(fresh, { recursive: true, force: true }));

  it("is reproducible: the generator writes the committed raw files byte for byte", async () => {
    const names = (await readdir(join(COMMITTED, "raw"))).sort();
    expect(names).to.have.length(12);
    expect((await readdir(join(fresh, "repo", "raw"))).sort()).to.deep.equal(names);
    for (const name of names) {
      const a = await readFile(join(COMMITTED, "raw", name));
      const b = await readFile(join(fresh, "repo", "raw", name));
      expect(a.equals(b), name).to.equal(true);
    }
    expect(await readFile(join(fresh, "repo", "repositoryCfg.yaml"), "utf8")).to.equal(
      await readFile(join(COMMITTED, "repositoryCfg.yaml"), "utf8"),
    );
  });

  it("has a registry with the same rows as one rebuilt from the raw headers", () => {
    const committed = dumpRegistry(join(COMMITTED, "registry.sqlite3"));
    expect(committed).to.deep.equal(dumpRegistry(join(fresh, "repo", "registry.sqlite3")));
    const raw = (committed as Array<[string, unknown[]]>).find(([n]) => n === "raw")!;
    expect(raw[1]).to.have.length(12);
  });
});

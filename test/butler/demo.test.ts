import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { Butler, type Catalog } from "../../src/testing/index.js";

const run = promisify(execFile);
const DEMO = fileURLToPath(new URL("../../scripts/demo.ts", import.meta.url));

describe("the demo (npm run demo)", function () {
  this.timeout(60000);
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-demo-"));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("processes every raw frame into a calexp and a source catalog, and lists them; a rerun starts clean", async () => {
    const out = join(work, "rerun");
    for (let i = 0; i < 2; i++) {
      const { stdout } = await run(process.execPath, ["--import", "tsx", DEMO, "--output", out]);
      expect(stdout).to.match(/12 raw frames/);
      expect(stdout).to.match(/calexp v1 c0 exists: true/);
    }
    expect((await readdir(join(out, "calexp"))).sort()).to.have.length(12);
    expect((await readdir(join(out, "src"))).sort()).to.have.length(12);
    const butler = await Butler.create({ outputs: { root: out, mode: "rw" } });
    try {
      const src = await butler.get<Catalog>("src", { visit: 3, ccd: 2 });
      expect(src.length).to.be.greaterThan(0);
      expect((src.column("flag_saturated") as boolean[]).filter(Boolean)).to.have.length(1); // the sample's bright star
      expect((await butler.subset("calexp", undefined, {})).length).to.equal(12);
    } finally {
      await butler.close();
    }
  });
});

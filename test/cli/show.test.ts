/**
 * `skybutler show` (the built binary): the PNG it writes is byte for byte what `renderPng` makes of
 * the same calexp with the same options, and it prints the mask legend (as text, or with the rest as
 * JSON). Bad options, unknown planes, a dataset that is not an image and a missing one are typed
 * errors with the documented exit status, and never leave a partial PNG or spoil an existing one.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Butler, renderPng, type Exposure, type PixelArray } from "../../src/testing/index.js";
import { runCli } from "../support/cli.js";
import { makeBrowseRepo } from "../server/browse-fixtures.js";

describe("skybutler show", function () {
  this.timeout(60_000);
  let work: string;
  let root: string;
  let calexp: Exposure<PixelArray>;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-show-"));
    root = join(work, "rerun");
    await makeBrowseRepo(root);
    const butler = await Butler.create({ inputs: root });
    try {
      calexp = await butler.get<Exposure<PixelArray>>("calexp", { visit: 1, ccd: 0 });
    } finally {
      await butler.close();
    }
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("writes the PNG renderPng makes of the dataset and prints the mask legend", async () => {
    const png = join(work, "calexp.png");
    const run = await runCli(["show", root, "calexp", "visit=1", "ccd=0", "--png", png, "--width", "240", "--mapping", "asinh", "--mask"]);
    expect(run.code, run.stderr).to.equal(0);
    const expected = await renderPng(calexp, { width: 240, mapping: "asinh", mask: true });
    expect((await readFile(png)).equals(Buffer.from(expected.png))).to.equal(true);
    expect(run.stdout).to.include(`wrote ${png}: 240×160, zscale limits ${expected.limits.min} … ${expected.limits.max}`);
    const lines = run.stdout.split("\n").filter((l) => l.includes("\t"));
    expect(lines).to.deep.equal(expected.legend.map((e) => `${e.plane}\t${e.bit}\t${e.hex}\t${e.present ? "yes" : "no"}`));
    expect(lines).to.include("SAT\t1\t#00ff00\tyes");
  });

  it("prints everything as JSON with --json; --stretch, --percentile and a plane list are passed on", async () => {
    const png = join(work, "percentile.png");
    const run = await runCli(["--json", "show", root, "calexp", "visit=1", "ccd=0", "--png", png, "--width", "100", "--stretch", "percentile", "--percentile", "98", "--mask", "SAT,CR"]);
    expect(run.code, run.stderr).to.equal(0);
    const expected = await renderPng(calexp, { width: 100, stretch: "percentile", percentile: 98, mask: ["SAT", "CR"] });
    expect((await readFile(png)).equals(Buffer.from(expected.png))).to.equal(true);
    expect(JSON.parse(run.stdout)).to.deep.equal({ png, width: 100, height: 67, limits: expected.limits, legend: expected.legend });
    expect(expected.legend.map((e) => e.plane)).to.deep.equal(["SAT", "CR"]);
  });

  it("refuses bad input with typed errors, and leaves an existing PNG as it was", async () => {
    const png = join(work, "kept.png");
    expect((await runCli(["show", root, "calexp", "visit=1", "ccd=0", "--png", png, "--width", "64"])).code).to.equal(0);
    const before = await readFile(png);
    const cases: Array<[string[], number, RegExp]> = [
      [["--stretch", "histeq"], 2, /^E_USAGE: .*--stretch must be one of zscale, minmax, percentile/],
      [["--width", "0"], 2, /^E_USAGE: .*--width must be a whole number/],
      [["--mask", "SAT,NOPE"], 2, /^E_USAGE: no mask plane NOPE; the mask has BAD, SAT/],
    ];
    for (const [extra, code, message] of cases) {
      const run = await runCli(["show", root, "calexp", "visit=1", "ccd=0", "--png", png, ...extra]);
      expect(run.code, `${extra.join(" ")}: ${run.stderr}`).to.equal(code);
      expect(run.stderr.trim(), extra.join(" ")).to.match(message);
    }
    const catalog = await runCli(["show", root, "src", "visit=1", "ccd=0", "--png", png]);
    expect(catalog.code).to.equal(2);
    expect(catalog.stderr).to.match(/^E_USAGE: render an Image, MaskedImage, Exposure/);
    const never = join(work, "never.png");
    const missing = await runCli(["show", root, "postISRCCD", "visit=1", "ccd=0", "--png", never]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^E_DATASET_NOT_FOUND: /);
    const noPng = await runCli(["show", root, "calexp", "visit=1", "ccd=0"]);
    expect(noPng.code).to.equal(2);
    expect(noPng.stderr).to.match(/^E_USAGE: .*--png/);
    expect((await readFile(png)).equals(before), "the PNG written first is unchanged").to.equal(true);
    expect((await readdir(work)).filter((name) => name !== "rerun" && !name.endsWith(".png")), "no temp file left").to.deep.equal([]);
    expect(existsSync(never), "nothing written for a missing dataset").to.equal(false);
  });
});

/**
 * Acceptance tests through the Butler for what the CameraMapper synthesises (variants), chooses by
 * date (calibrations) and assembles (composites) — each a Gen2 behaviour.
 */
import { expect } from "chai";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Butler, Catalog, Exposure, Header, MaskedImage, PolicyError, type PixelArray } from "../../src/index.js";
import { rejection } from "../support/assertions.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

describe("variants, calibrations and composites through the Butler", () => {
  let work: string;
  let butler: Butler;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-variants-"));
    butler = await Butler.create({ inputs: INPUT, outputs: { root: join(work, "out"), mode: "rw" } });
  });
  afterEach(async () => {
    await butler.close();
    await rm(work, { recursive: true, force: true });
  });

  async function putCalexp(): Promise<Exposure> {
    const mi = MaskedImage.create(40, 30);
    mi.image.data.forEach((_, i) => (mi.image.data[i] = i));
    mi.variance.data.fill(3);
    mi.image.x0 = mi.mask.x0 = mi.variance.x0 = 100;
    mi.image.y0 = mi.mask.y0 = mi.variance.y0 = 200;
    const exp = new Exposure(mi, Header.fromObject({ EXPTIME: 30, FILTER: "g", "DATE-OBS": "2026-03-01T03:00:00.000" }));
    await butler.put(exp, "calexp", { visit: 1, ccd: 0 });
    return exp;
  }

  it("_md equals the metadata of the full read", async () => {
    await putCalexp();
    const full = await butler.get<Exposure>("calexp", { visit: 1, ccd: 0 });
    const md = await butler.get<Header>("calexp_md", { visit: 1, ccd: 0 });
    expect(md.toObject()).to.deep.equal(full.metadata.toObject());
  });

  it("_sub equals the same region of the full read, in parent coordinates", async () => {
    await putCalexp();
    const full = await butler.get<Exposure>("calexp", { visit: 1, ccd: 0 });
    const bbox = { x0: 110, y0: 205, width: 7, height: 4 }; // PARENT coordinates, as Gen2's default
    const sub = await butler.get<Exposure>("calexp_sub", { visit: 1, ccd: 0, bbox });
    expect([sub.width, sub.height, sub.image.x0, sub.image.y0]).to.deep.equal([7, 4, 110, 205]);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 7; x++) expect(sub.image.get(x, y)).to.equal(full.image.get(x + 10, y + 5));
  });

  it("_filename, _bbox, _filter and _visitInfo are computed without the formatter", async () => {
    await putCalexp();
    const names = await butler.get<string[]>("calexp_filename", { visit: 1, ccd: 0 });
    expect(names).to.deep.equal([pathToFileURL(join(work, "out", "calexp/v1_fg_c00.fits")).href]);
    expect(await butler.get("calexp_bbox", { visit: 1, ccd: 0 })).to.deep.include({ x0: 100, y0: 200, width: 40, height: 30 });
    expect(await butler.get("calexp_filter", { visit: 1, ccd: 0 })).to.equal("g");
    expect(await butler.get("calexp_visitInfo", { visit: 1, ccd: 0 })).to.deep.include({ exposureTime: 30 });
    expect(await rejection(butler.put({}, "calexp_md", { visit: 1, ccd: 0 }))).to.be.instanceOf(PolicyError);
  });

  it("_len and _schema of a catalog read only the table header", async () => {
    const cat = new Catalog({ id: BigInt64Array.from([1n, 2n, 3n]), flux: Float64Array.from([1, 2, 3]) });
    await butler.put(cat, "src", { visit: 2, ccd: 1 });
    expect(await butler.get("src_len", { visit: 2, ccd: 1 })).to.equal(3);
    const schema = (await butler.get<{ columns: Array<{ name: string }> }>("src_schema", { visit: 2, ccd: 1 })).columns.map((c) => c.name);
    expect(schema).to.deep.equal(["id", "flux"]);
  });

  it("picks the flat whose validity range contains the visit's observation time", async () => {
    const early = await butler.getUri("flat", { visit: 1, ccd: 0 });
    const late = await butler.getUri("flat", { visit: 3, ccd: 0 });
    expect(early).to.contain("flat/2026-02-28/flat_fg_c00.fits");
    expect(late).to.contain("flat/2026-03-02/flat_fr_c00.fits");
    const flat = await butler.get<Exposure<PixelArray>>("flat", { visit: 4, ccd: 2 });
    expect(flat.width).to.be.greaterThan(0);
  });

  it("assembles a composite on get, takes it apart on put, and exists only when every component does", async () => {
    const both = await butler.get<{ raw: Exposure; flat: Exposure }>("rawAndFlat", { visit: 1, ccd: 1 });
    expect(both.raw.metadata.get("VISIT")).to.equal(1);
    expect(both.flat).to.be.instanceOf(Exposure);

    expect(await butler.datasetExists("calexpAndSrc", { visit: 2, ccd: 0 })).to.equal(false);
    const calexp = await putCalexp();
    await butler.put({ calexp, src: new Catalog({ n: Float64Array.from([7]) }) }, "calexpAndSrc", { visit: 2, ccd: 0 });
    expect(await butler.datasetExists("calexp", { visit: 2, ccd: 0 })).to.equal(true);
    expect(await butler.datasetExists("calexpAndSrc", { visit: 2, ccd: 0 })).to.equal(true);
    const back = await butler.get<{ calexp: Exposure; src: Catalog }>("calexpAndSrc", { visit: 2, ccd: 0 });
    expect([...(back.src.column("n") as Float64Array)]).to.deep.equal([7]);
    expect(await butler.get("calexpAndSrc.src", { visit: 2, ccd: 0 })).to.be.instanceOf(Catalog);
  });

  it("with no registry file, looks keys up by scanning files that match the template (PosixRegistry)", async () => {
    const repo = join(work, "scan");
    await mkdir(join(repo, "json"), { recursive: true });
    await writeFile(join(repo, "repositoryCfg.yaml"), "mapper: testcam\nparents: []\n");
    for (const v of [5, 6, 7]) await writeFile(join(repo, "json", `v${v}.json`), JSON.stringify({ v }));
    const scan = await Butler.create({ inputs: repo });
    try {
      expect(await scan.queryMetadata("jsonThing", "visit")).to.deep.equal([5, 6, 7]);
      expect(await scan.get("jsonThing", { visit: 6 })).to.deep.equal({ v: 6 });
    } finally {
      await scan.close();
    }
  });

  it("a second camera's std_ and bypass_ hooks run through the Butler with no change in src/", async () => {
    const repo = join(work, "minicam");
    await mkdir(repo, { recursive: true });
    await writeFile(join(repo, "repositoryCfg.yaml"), "mapper: minicam\nparents: []\n");
    const mini = await Butler.create({ inputs: repo, outputs: { root: join(work, "minicam-out"), mode: "rw" } });
    try {
      expect(await mini.get("raw_detectorName", { visit: 1234567, raft: "22", sensor: "11" })).to.equal("R22_S11");
      const mi = MaskedImage.create(4, 4);
      await mini.put(new Exposure(mi), "raw", { visit: 1234567, raft: "22", sensor: "11", filter: "i" });
      const raw = await mini.get<Exposure>("raw", { visit: 1234567, raft: "22", sensor: "11", filter: "i" });
      expect(raw.metadata.get("DETNAME")).to.equal("R22_S11"); // set by std_raw
      expect(raw.metadata.get("FILTER")).to.equal("i");
    } finally {
      await mini.close();
    }
  });
});

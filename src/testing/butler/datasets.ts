/**
 * Butler conformance, part 2: datasets of every storage kind through a backend — exposures,
 * catalogs, pickled/JSON/YAML/config objects — and what the CameraMapper synthesises (variants),
 * chooses by date (calibrations) and assembles (composites), each a Gen2 behaviour.
 */
import { expect } from "chai";
import {
  Butler,
  Catalog,
  DataIdError,
  DatasetNotFoundError,
  Exposure,
  Header,
  MaskedImage,
  UnknownDatasetTypeError,
  UsageError,
  type PixelArray,
} from "../../index.js";
import { rejection } from "../assertions.js";
import { filenameOf, repoArgs, SAMPLE_REPO, type SuiteContext } from "./context.js";

/** A calexp with an origin away from (0, 0), a WCS, and pixel i = i. */
export function sampleCalexp(): Exposure<Float32Array> {
  const mi = MaskedImage.create(40, 30);
  mi.image.data.forEach((_, i) => (mi.image.data[i] = i));
  mi.variance.data.fill(3);
  mi.mask.data[7] = mi.mask.bitMask("SAT");
  mi.image.x0 = mi.mask.x0 = mi.variance.x0 = 100;
  mi.image.y0 = mi.mask.y0 = mi.variance.y0 = 200;
  const metadata = Header.fromObject({
    EXPTIME: 30,
    FILTER: "g",
    "DATE-OBS": "2026-03-01T03:00:00.000",
    CTYPE1: "RA---TAN",
    CTYPE2: "DEC--TAN",
    CRPIX1: 20.5,
    CRPIX2: 15.5,
    CRVAL1: 150.1,
    CRVAL2: 2.2,
    CD1_1: -5e-5,
    CD1_2: 0,
    CD2_1: 0,
    CD2_2: 5e-5,
  });
  return new Exposure(mi, metadata) as Exposure<Float32Array>;
}

/** Declares the dataset, variant, calibration and composite tests. */
export function datasetTests(ctx: SuiteContext): void {
  it("gets a raw frame, looking the filter up in the registry, with the pixels of the sample repository", async () => {
    const b = await ctx.pool.butler({ inputs: repoArgs(ctx.input) });
    const raw = await b.get<Exposure<PixelArray>>("raw", { visit: 1, ccd: 0 });
    expect(raw).to.be.instanceOf(Exposure);
    expect(raw.metadata.get("FILTER")).to.equal("g");
    expect(raw.metadata.get("VISIT")).to.equal(1);
    expect(raw.image.data).to.be.instanceOf(Uint16Array);
    expect([raw.width, raw.height]).to.deep.equal([64, 48]);
    // the same frame read from the local sample repository the backend's input was made from
    const local = await ctx.pool.butler({ inputs: SAMPLE_REPO });
    const reference = await local.get<Exposure<PixelArray>>("raw", { visit: 1, ccd: 0 });
    expect(Buffer.from(raw.image.data.buffer).equals(Buffer.from(reference.image.data.buffer))).to.equal(true);
    expect(raw.metadata.toObject()).to.deep.equal(reference.metadata.toObject());
    expect(await b.getUri("raw", { visit: 3, ccd: 2 })).to.equal(`${ctx.input.root}/raw/v3_fr_c02.fits`);
  });

  it("puts an exposure into the output and reads it back unchanged, output first", async () => {
    const { butler, out } = await ctx.rwButler();
    const raw = await butler.get<Exposure<PixelArray>>("raw", { visit: 1, ccd: 0 });
    const mi = MaskedImage.create(raw.width, raw.height);
    raw.image.data.forEach((v, i) => (mi.image.data[i] = Number(v) - 1000));
    mi.variance.data.fill(2.5);
    mi.mask.data[7] = mi.mask.bitMask("SAT");
    const calexp = new Exposure(mi, raw.metadata.clone().set("HISTORY", "calibrated"));

    expect(await butler.datasetExists("calexp", { visit: 1, ccd: 0 })).to.equal(false);
    await butler.put(calexp, "calexp", { visit: 1, ccd: 0 });
    expect(await butler.datasetExists("calexp", { visit: 1, ccd: 0 })).to.equal(true);
    expect(await butler.datasetExists("calexp", { visit: 1, ccd: 0 }, { write: true })).to.equal(true);
    expect(await butler.getUri("calexp", { visit: 1, ccd: 0 })).to.equal(`${out.root}/calexp/v1_fg_c00.fits`);
    expect(await butler.getUri("calexp", { visit: 2, ccd: 1 }, { write: true })).to.equal(`${out.root}/calexp/v2_fg_c01.fits`);

    const back = await butler.get<Exposure<Float32Array>>("calexp", { visit: 1, ccd: 0 });
    expect(Buffer.from(back.image.data.buffer).equals(Buffer.from(mi.image.data.buffer))).to.equal(true);
    expect([...back.variance.data.slice(0, 3)]).to.deep.equal([2.5, 2.5, 2.5]);
    expect(back.mask.data[7]).to.equal(back.mask.bitMask("SAT"));
    expect(back.metadata.get("FILTER")).to.equal("g");
    expect(back.metadata.cards.some((c) => c.keyword === "HISTORY" && c.value === "calibrated")).to.equal(true);
  });

  it("answers queryMetadata with values for one key and tuples for several", async () => {
    const { butler } = await ctx.rwButler();
    expect(await butler.queryMetadata("raw", ["visit", "filter"], { ccd: 0 })).to.deep.equal([
      [1, "g"],
      [2, "g"],
      [3, "r"],
      [4, "r"],
    ]);
    expect(await butler.queryMetadata("raw", "visit", { filter: "r" })).to.deep.equal([3, 4]);
  });

  it("stores pickled, JSON, YAML and config datasets", async () => {
    const { butler } = await ctx.rwButler();
    const value = { a: 1, list: [1, 2], nested: new Map([["k", new Date(0)]]), big: 2n ** 70n };
    await butler.put(value, "pickled", { visit: 2, filter: "g" });
    expect(await butler.get("pickled", { visit: 2, filter: "g" })).to.deep.equal(value);
    await butler.put({ x: [1, "two"] }, "jsonThing", { visit: 3 });
    expect(await butler.get("jsonThing", { visit: 3 })).to.deep.equal({ x: [1, "two"] });
    await butler.put({ y: { z: true } }, "yamlThing", { visit: 3 });
    expect(await butler.get("yamlThing", { visit: 3 })).to.deep.equal({ y: { z: true } });
    await butler.put({ nSigma: 5, doWrite: true }, "processCcd_config", {});
    expect(await butler.get("processCcd_config")).to.deep.equal({ nSigma: 5, doWrite: true });
    const err = await rejection(butler.put([1, 2], "processCcd_config", {}));
    expect(err).to.have.property("code", "E_FORMATTER");
    expect(await butler.get("processCcd_config")).to.deep.equal({ nSigma: 5, doWrite: true }); // the failed put lost nothing
  });

  it("round-trips a catalog with units", async () => {
    const { butler } = await ctx.rwButler();
    const cat = new Catalog({
      id: BigInt64Array.from([1n, 2n, 3n]),
      flux: Float64Array.from([1.5, 2.5, -0]),
      flag: [true, false, true],
    });
    cat.info.set("flux", { unit: "adu" });
    await butler.put(cat, "src", { visit: 4, ccd: 1 });
    const back = await butler.get<Catalog>("src", { visit: 4, ccd: 1 });
    expect(back.names).to.deep.equal(["id", "flux", "flag"]);
    expect([...(back.column("id") as BigInt64Array)]).to.deep.equal([1n, 2n, 3n]);
    expect([...(back.column("flux") as Float64Array)]).to.deep.equal([1.5, 2.5, -0]);
    expect(back.column("flag")).to.deep.equal([true, false, true]);
    expect(back.info.get("flux")?.unit).to.equal("adu");
  });

  it("raises typed errors for bad dataset types and data ids", async () => {
    const { butler } = await ctx.rwButler();
    const unknown = await rejection(butler.get("calexpp", { visit: 1, ccd: 0 }));
    expect(unknown).to.be.instanceOf(UnknownDatasetTypeError);
    expect(unknown.message).to.contain('"calexp"'); // the closest name is suggested

    const escape = await rejection(butler.put({}, "pickled", { visit: 1, filter: "../../x" }));
    expect(escape).to.be.instanceOf(DataIdError);
    expect(escape).to.have.property("key", "filter");

    const missing = await rejection(butler.get("raw", { visit: 99, ccd: 0 }));
    expect(missing).to.be.instanceOf(DataIdError);

    const ambiguous = await rejection(butler.get("raw", { ccd: 0 }));
    expect(ambiguous).to.be.instanceOf(DataIdError);
    expect(ambiguous.message).to.match(/visit/);

    const notFound = await rejection(butler.get("calexp", { visit: 1, ccd: 0 }));
    expect(notFound).to.be.instanceOf(DatasetNotFoundError);
    expect(notFound).to.have.property("code", "E_DATASET_NOT_FOUND");

    const badId = await rejection(butler.get("raw", { visit: Number.NaN, ccd: 0 }));
    expect(badId).to.be.instanceOf(DataIdError);
  });

  it("_md is the whole header, as Gen2's readMetadata: the metadata of the full read plus the image's structure", async () => {
    const { butler } = await ctx.rwButler();
    await butler.put(sampleCalexp(), "calexp", { visit: 1, ccd: 0 });
    const full = await butler.get<Exposure>("calexp", { visit: 1, ccd: 0 });
    const md = await butler.get<Header>("calexp_md", { visit: 1, ccd: 0 });
    expect(md).to.be.instanceOf(Header);
    expect(md.toObject()).to.deep.include(full.metadata.toObject());
    expect([md.get("BITPIX"), md.get("NAXIS"), md.get("NAXIS1"), md.get("NAXIS2")]).to.deep.equal([-32, 2, full.width, full.height]);
    expect(md.get("CRVAL1")).to.equal(150.1);
    const raw = await butler.get<Header>("raw_md", { visit: 1, ccd: 0 });
    expect([raw.get("BITPIX"), raw.get("NAXIS1"), raw.get("NAXIS2"), raw.get("BZERO")]).to.deep.equal([16, 64, 48, 32768]);
  });

  it("_sub equals the same region of the full read, in parent coordinates", async () => {
    const { butler } = await ctx.rwButler();
    await butler.put(sampleCalexp(), "calexp", { visit: 1, ccd: 0 });
    const full = await butler.get<Exposure>("calexp", { visit: 1, ccd: 0 });
    const bbox = { x0: 110, y0: 205, width: 7, height: 4 }; // PARENT coordinates, as Gen2's default
    const sub = await butler.get<Exposure>("calexp_sub", { visit: 1, ccd: 0, bbox });
    expect([sub.width, sub.height, sub.image.x0, sub.image.y0]).to.deep.equal([7, 4, 110, 205]);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 7; x++) expect(sub.image.get(x, y)).to.equal(full.image.get(x + 10, y + 5));
    const local = await butler.get<Exposure>("calexp_sub", { visit: 1, ccd: 0, bbox: { x0: 10, y0: 5, width: 7, height: 4 }, imageOrigin: "LOCAL" });
    expect([...local.image.data]).to.deep.equal([...sub.image.data]);
  });

  it("_filename, _bbox, _wcs, _filter and _visitInfo are computed without the formatter", async () => {
    const { butler, out } = await ctx.rwButler();
    await butler.put(sampleCalexp(), "calexp", { visit: 1, ccd: 0 });
    expect(await butler.get("calexp_filename", { visit: 1, ccd: 0 })).to.deep.equal([filenameOf(`${out.root}/calexp/v1_fg_c00.fits`)]);
    expect(await butler.get("calexp_bbox", { visit: 1, ccd: 0 })).to.deep.include({ x0: 100, y0: 200, width: 40, height: 30 });
    expect(await butler.get("calexp_wcs", { visit: 1, ccd: 0 })).to.deep.equal({
      ctype: ["RA---TAN", "DEC--TAN"],
      crpix: [20.5, 15.5],
      crval: [150.1, 2.2],
      cd: [
        [-5e-5, 0],
        [0, 5e-5],
      ],
    });
    expect(await butler.get("calexp_filter", { visit: 1, ccd: 0 })).to.equal("g");
    expect(await butler.get("calexp_visitInfo", { visit: 1, ccd: 0 })).to.deep.include({ exposureTime: 30 });
    expect(await rejection(butler.put({}, "calexp_md", { visit: 1, ccd: 0 }))).to.be.instanceOf(UsageError);
  });

  it("_len and _schema of a catalog read only the table header", async () => {
    const { butler } = await ctx.rwButler();
    const cat = new Catalog({ id: BigInt64Array.from([1n, 2n, 3n]), flux: Float64Array.from([1, 2, 3]) });
    await butler.put(cat, "src", { visit: 2, ccd: 1 });
    expect(await butler.get("src_len", { visit: 2, ccd: 1 })).to.equal(3);
    const schema = (await butler.get<{ columns: Array<{ name: string }> }>("src_schema", { visit: 2, ccd: 1 })).columns.map((c) => c.name);
    expect(schema).to.deep.equal(["id", "flux"]);
  });

  it("picks the flat whose validity range contains the visit's observation time", async () => {
    const { butler } = await ctx.rwButler();
    expect(await butler.getUri("flat", { visit: 1, ccd: 0 })).to.equal(`${ctx.input.root}/flat/2026-02-28/flat_fg_c00.fits`);
    expect(await butler.getUri("flat", { visit: 3, ccd: 0 })).to.equal(`${ctx.input.root}/flat/2026-03-02/flat_fr_c00.fits`);
    const flat = await butler.get<Exposure<PixelArray>>("flat", { visit: 4, ccd: 2 });
    expect(flat.width).to.be.greaterThan(0);
  });

  it("assembles a composite on get, takes it apart on put, and exists only when every component does", async () => {
    const { butler } = await ctx.rwButler();
    const both = await butler.get<{ raw: Exposure; flat: Exposure }>("rawAndFlat", { visit: 1, ccd: 1 });
    expect(both.raw.metadata.get("VISIT")).to.equal(1);
    expect(both.flat).to.be.instanceOf(Exposure);

    expect(await butler.datasetExists("calexpAndSrc", { visit: 2, ccd: 0 })).to.equal(false);
    await butler.put(sampleCalexp(), "calexp", { visit: 2, ccd: 0 });
    expect(await butler.datasetExists("calexpAndSrc", { visit: 2, ccd: 0 })).to.equal(false); // src still missing
    await butler.put({ calexp: sampleCalexp(), src: new Catalog({ n: Float64Array.from([7]) }) }, "calexpAndSrc", { visit: 2, ccd: 0 });
    expect(await butler.datasetExists("src", { visit: 2, ccd: 0 })).to.equal(true);
    expect(await butler.datasetExists("calexpAndSrc", { visit: 2, ccd: 0 })).to.equal(true);
    const back = await butler.get<{ calexp: Exposure; src: Catalog }>("calexpAndSrc", { visit: 2, ccd: 0 });
    expect([...(back.src.column("n") as Float64Array)]).to.deep.equal([7]);
    expect(back.calexp.image.x0).to.equal(100);
    expect(await butler.get("calexpAndSrc.src", { visit: 2, ccd: 0 })).to.be.instanceOf(Catalog);
  });

  it("with no registry file, looks keys up by scanning the objects that match the template", async () => {
    const repo = await ctx.pool.root();
    const storage = await ctx.pool.storage(repo, true);
    await storage.write("repositoryCfg.yaml", "mapper: testcam\nparents: []\n");
    for (const v of [5, 6, 7]) await storage.write(`json/v${v}.json`, JSON.stringify({ v }));
    await storage.write("json/notes.txt", "matches no template");
    const scan = await ctx.pool.butler({ inputs: repoArgs(repo) });
    expect(await scan.queryMetadata("jsonThing", "visit")).to.deep.equal([5, 6, 7]);
    expect(await scan.get("jsonThing", { visit: 6 })).to.deep.equal({ v: 6 });
  });

  it("a second camera's std_ and bypass_ hooks run through the Butler", async () => {
    const repo = await ctx.pool.root();
    await (await ctx.pool.storage(repo, true)).write("repositoryCfg.yaml", "mapper: minicam\nparents: []\n");
    const out = await ctx.pool.root();
    const mini: Butler = await ctx.pool.butler({ inputs: repoArgs(repo), outputs: repoArgs(out, { mode: "rw" }) });
    expect(await mini.get("raw_detectorName", { visit: 1234567, raft: "22", sensor: "11" })).to.equal("R22_S11");
    await mini.put(new Exposure(MaskedImage.create(4, 4)), "raw", { visit: 1234567, raft: "22", sensor: "11", filter: "i" });
    const raw = await mini.get<Exposure>("raw", { visit: 1234567, raft: "22", sensor: "11", filter: "i" });
    expect(raw.metadata.get("DETNAME")).to.equal("R22_S11"); // set by std_raw
    expect(raw.metadata.get("FILTER")).to.equal("i");
  });
}

import { expect } from "chai";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { rejection } from "../support/assertions.js";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  Butler,
  Catalog,
  ConfigError,
  DataIdError,
  DatasetNotFoundError,
  Exposure,
  MaskedImage,
  UnknownDatasetTypeError,
  type PixelArray,
} from "../../src/index.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

describe("Butler on a local repository", () => {
  let work: string;
  let butler: Butler;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-butler-"));
    butler = await Butler.create({ inputs: INPUT, outputs: { root: join(work, "rerun"), mode: "rw" } });
  });
  afterEach(async () => {
    await butler.close();
    await rm(work, { recursive: true, force: true });
  });

  it("gets a raw frame, looking the filter up in the registry", async () => {
    const raw = await butler.get<Exposure<PixelArray>>("raw", { visit: 1, ccd: 0 });
    expect(raw).to.be.instanceOf(Exposure);
    expect(raw.metadata.get("FILTER")).to.equal("g");
    expect(raw.metadata.get("VISIT")).to.equal(1);
    expect(raw.image.data).to.be.instanceOf(Uint16Array);
    expect([raw.width, raw.height]).to.deep.equal([64, 48]);
    expect(await butler.getUri("raw", { visit: 3, ccd: 2 })).to.equal(
      pathToFileURL(join(INPUT, "raw/v3_fr_c02.fits")).href,
    );
  });

  it("puts an exposure into the output and reads it back unchanged, output first", async () => {
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
    const uri = await butler.getUri("calexp", { visit: 1, ccd: 0 });
    expect(uri).to.equal(pathToFileURL(join(work, "rerun/calexp/v1_fg_c00.fits")).href);

    const back = await butler.get<Exposure<Float32Array>>("calexp", { visit: 1, ccd: 0 });
    expect(Buffer.from(back.image.data.buffer).equals(Buffer.from(mi.image.data.buffer))).to.equal(true);
    expect([...back.variance.data.slice(0, 3)]).to.deep.equal([2.5, 2.5, 2.5]);
    expect(back.mask.data[7]).to.equal(back.mask.bitMask("SAT"));
    expect(back.metadata.get("FILTER")).to.equal("g");
    expect(back.metadata.cards.some((c) => c.keyword === "HISTORY" && c.value === "calibrated")).to.equal(true);
  });

  it("answers queryMetadata with values for one key and tuples for several", async () => {
    expect(await butler.queryMetadata("raw", ["visit", "filter"], { ccd: 0 })).to.deep.equal([
      [1, "g"],
      [2, "g"],
      [3, "r"],
      [4, "r"],
    ]);
    expect(await butler.queryMetadata("raw", "visit", { filter: "r" })).to.deep.equal([3, 4]);
  });

  it("stores pickled, JSON, YAML and config datasets", async () => {
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
  });

  it("round-trips a catalog with units", async () => {
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
    const unknown = await rejection(butler.get("calexpp", { visit: 1, ccd: 0 }));
    expect(unknown).to.be.instanceOf(UnknownDatasetTypeError);
    expect(unknown.message).to.contain('"calexp"');

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

  it("records the input as the output's parent, relative on disk, and reopens with it", async () => {
    const cfgText = await readFile(join(work, "rerun", "repositoryCfg.yaml"), "utf8");
    expect(cfgText).to.match(/mapper: testcam/);
    const stored = (parseYaml(cfgText) as { parents: string[] }).parents;
    expect(stored).to.have.length(1);
    expect(isAbsolute(stored[0]!)).to.equal(false); // stored relative …
    expect(resolve(work, "rerun", stored[0]!)).to.equal(INPUT); // … to the output's root
    await butler.close();
    butler = await Butler.create({ outputs: { root: join(work, "rerun"), mode: "rw" } });
    expect(butler.searchPath).to.deep.equal([pathToFileURL(join(work, "rerun")).href, pathToFileURL(INPUT).href]);
    expect((await butler.get<Exposure>("raw", { visit: 2, ccd: 1 })).metadata.get("VISIT")).to.equal(2);
  });

  it("refuses bad repository arguments with ConfigError", async () => {
    expect(await rejection(Butler.create({ inputs: join(work, "nowhere") }))).to.be.instanceOf(ConfigError);
    expect(await rejection(Butler.create({ inputs: { root: INPUT, mode: "w" } }))).to.be.instanceOf(ConfigError);
    expect(await rejection(Butler.create({ outputs: { root: join(work, "o"), mode: "r" } }))).to.be.instanceOf(ConfigError);
    expect(await rejection(Butler.create({ outputs: join(work, "no-mapper") }))).to.be.instanceOf(ConfigError);
    expect(await rejection(Butler.create({ inputs: work }))).to.be.instanceOf(ConfigError); // holds no repository
    const readOnly = await Butler.create({ inputs: INPUT });
    try {
      expect(await rejection(readOnly.put({}, "pickled", { visit: 1, filter: "g" }))).to.be.instanceOf(ConfigError);
    } finally {
      await readOnly.close();
    }
  });

  it("is unusable after close, and close is idempotent", async () => {
    await butler.close();
    await butler.close();
    expect(await rejection(butler.get("raw", { visit: 1, ccd: 0 }))).to.have.property("code", "E_CLOSED");
    butler = await Butler.create({ inputs: INPUT });
  });

  it("writes nothing to the input repository", async () => {
    const before = (await stat(join(INPUT, "registry.sqlite3"))).mtimeMs;
    await butler.put({ a: 1 }, "pickled", { visit: 1, filter: "g" });
    expect((await stat(join(INPUT, "registry.sqlite3"))).mtimeMs).to.equal(before);
    expect(await rejection(stat(join(INPUT, "pickled")))).to.have.property("code", "ENOENT");
  });
});

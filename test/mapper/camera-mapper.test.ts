import { expect } from "chai";
import Database from "better-sqlite3";
import { join } from "node:path";
import { CameraMapper } from "../../src/mapper/camera-mapper.js";
import type { MapOptions } from "../../src/mapper/mapper.js";
import type { ButlerLocation } from "../../src/mapper/butler-location.js";
import { closeNames, levenshtein } from "../../src/mapper/close-names.js";
import { parsePolicy } from "../../src/mapper/policy.js";
import { TestCamMapper } from "../../mappers/testcam/testcam-mapper.js";
import { DataIdError, PolicyError, RegistryError, UnknownDatasetTypeError } from "../../src/errors.js";
import type { DataId } from "../../src/data-id.js";
import type { SqliteRegistry } from "../../registry/sqlite/sqlite-registry.js";
import { useTempDir, openRegistry, sampleRegistry } from "../registry/registry-fixture.js";
import { rejection } from "../../src/testing/assertions.js";


describe("CameraMapper", () => {
  let registry!: SqliteRegistry;
  let mapper: TestCamMapper;
  // registered before useTempDir's hooks, so the registry is closed before its directory goes
  after(async () => {
    await (registry as SqliteRegistry | undefined)?.close(); // undefined when before() failed
  });
  const temp = useTempDir("camera-mapper");
  before(async () => {
    ({ registry } = sampleRegistry(temp.dir));
    mapper = await TestCamMapper.create({ registry });
  });

  describe("map", () => {
    it("fills the template from a complete data id", async () => {
      const location = await mapper.map("calexp", { visit: 2, ccd: 1, filter: "r" });
      expect(location).to.deep.equal({
        datasetType: "calexp",
        storageName: "FitsStorage",
        pythonType: "Exposure",
        locations: ["calexp/v2_fr_c01.fits"],
        dataId: { visit: 2, ccd: 1, filter: "r" },
        additionalData: { visit: 2, ccd: 1, filter: "r" },
      });
    });

    it("looks a missing key up in the registry and returns the completed data id", async () => {
      const location = await mapper.map("raw", { visit: 3, ccd: 2 });
      expect(location.locations).to.deep.equal(["raw/v3_fg_c02.fits"]);
      expect(location.dataId).to.deep.equal({ visit: 3, ccd: 2, filter: "g" });
    });

    it("maps every testcam dataset type to its storage and python type", async () => {
      const id = { visit: 1, ccd: 0 };
      const expected: Record<string, [string, string, string]> = {
        raw: ["FitsStorage", "Exposure", "raw/v1_fg_c00.fits"],
        postISRCCD: ["FitsStorage", "Exposure", "postISRCCD/v1_fg_c00.fits"],
        src: ["FitsCatalogStorage", "Catalog", "src/v1_fg_c00.fits"],
        pickled: ["PickleStorage", "object", "pickled/v1_fg.pickle"],
        processCcd_config: ["ConfigStorage", "Config", "config/processCcd.yaml"],
        jsonThing: ["JsonStorage", "dict", "json/v1.json"],
        yamlThing: ["YamlStorage", "dict", "yaml/v1_fg.yaml"],
      };
      for (const [type, [storage, python, key]] of Object.entries(expected)) {
        const location = await mapper.map(type, id, { write: true });
        expect([location.storageName, location.pythonType, location.locations[0]], type).to.deep.equal([storage, python, key]);
      }
    });

    it("coerces integer strings for int keys and refuses non-integers", async () => {
      expect((await mapper.map("raw", { visit: "1", ccd: "02" })).locations).to.deep.equal(["raw/v1_fg_c02.fits"]);
      expect((await mapper.map("raw", { visit: "1", ccd: "02" })).dataId).to.deep.equal({ visit: 1, ccd: 2, filter: "g" });
      expect(await rejection(mapper.map("raw", { visit: 1.5, ccd: 0 }))).to.be.instanceOf(DataIdError).with.property("key", "visit");
      expect(await rejection(mapper.map("raw", { visit: "one", ccd: 0 }))).to.be.instanceOf(DataIdError).with.property("key", "visit");
      expect(await rejection(mapper.map("raw", { visit: 1, ccd: 0, expTime: "long" }))).to.be.instanceOf(DataIdError).with.property("key", "expTime");
      expect(await rejection(mapper.map("raw", { visit: 1, ccd: 0, filter: null as unknown as string }))).to.be.instanceOf(DataIdError).with.property("key", "filter");
    });

    it("refuses a data id value that would escape the repository root", async () => {
      for (const filter of ["../../x", "a/b", ".."]) {
        const error = await rejection(mapper.map("calexp", { visit: 1, ccd: 0, filter }));
        expect(error, filter).to.be.instanceOf(DataIdError).with.property("key", "filter");
      }
    });

    it("refuses a non-unique lookup, listing the candidates", async () => {
      const error = await rejection(mapper.map("raw", { ccd: 1, filter: "g" }));
      expect(error).to.be.instanceOf(DataIdError);
      expect(error.key).to.equal("visit");
      expect(error.candidates).to.deep.equal([1, 3]);
      expect(error.message).to.include('does not determine "visit"').and.include("2 registry entries match (1, 3)").and.include("add");
    });

    it("lists candidate tuples when several keys are missing, and at most 10 in the message", async () => {
      const error = await rejection(mapper.map("raw", { ccd: 0 }));
      expect(error.candidates).to.deep.equal([
        { visit: 1, filter: "g" },
        { visit: 2, filter: "r" },
        { visit: 3, filter: "g" },
        { visit: 4, filter: "r" },
      ]);
      const many = Array.from({ length: 15 }, (_, i) => ({ visit: i + 1, ccd: 0, filter: "g" }));
      const path = join(temp.dir, "many.sqlite3");
      return import("../../registry/build-registry.js").then(async ({ buildRegistry }) => {
        buildRegistry(path, many);
        const opened = openRegistry(path);
        try {
          const big = await TestCamMapper.create({ registry: opened.registry });
          const err = await rejection(big.map("raw", { ccd: 0, filter: "g" }));
          expect(err.candidates).to.have.length(15);
          expect(err.message).to.include("10, … (5 more)").and.not.include("11,");
        } finally {
          await opened.registry.close();
        }
      });
    });

    it("refuses a lookup with no registry row", async () => {
      const error = await rejection(mapper.map("raw", { visit: 99, ccd: 0 }));
      expect(error).to.be.instanceOf(DataIdError).with.property("key", "filter");
      expect(error.message).to.include("no registry entry").and.include('"visit":99');
      // ccd is not a per-visit key, so raw is queried with every given column: visit 4 is in field F2
      const noCcd = await rejection(mapper.map("raw", { visit: 4, filter: "r", field: "F1" }));
      expect(noCcd).to.be.instanceOf(DataIdError).with.property("key", "ccd");
      expect(noCcd.candidates).to.deep.equal([]);
    });

    it("uses raw_visit for per-visit keys when visit is given (Gen2's fast path)", async () => {
      // A registry whose raw and raw_visit disagree shows which table answered.
      const path = join(temp.dir, "fastpath.sqlite3");
      const db = new Database(path);
      db.exec(`CREATE TABLE raw (visit INTEGER, ccd INTEGER, filter TEXT);
               CREATE TABLE raw_visit (visit INTEGER, filter TEXT);
               INSERT INTO raw VALUES (1, 0, 'g'), (1, 1, 'g');
               INSERT INTO raw_visit VALUES (1, 'i');`);
      db.close();
      const opened = openRegistry(path);
      try {
        const m = await TestCamMapper.create({ registry: opened.registry });
        expect((await m.map("raw", { visit: 1, ccd: 0 })).locations).to.deep.equal(["raw/v1_fi_c00.fits"]);
        // without visit there is no fast path: raw NATURAL JOIN raw_visit, where the tables disagree
        expect(await rejection(m.map("raw", { ccd: 0 }))).to.be.instanceOf(DataIdError).with.property("message").that.includes("no registry entry");
      } finally {
        await opened.registry.close();
      }
    });

    it("skips tract/patch, the observation time and keys outside `columns` as constraints", async () => {
      const path = join(temp.dir, "constraints.sqlite3");
      const db = new Database(path);
      db.exec(`CREATE TABLE src_meta (visit INTEGER, ccd INTEGER, tract INTEGER, taiObs TEXT, color TEXT);
               INSERT INTO src_meta VALUES (1, 0, 100, 't1', 'blue'), (2, 0, 200, 't2', 'red');`);
      db.close();
      const opened = openRegistry(path);
      try {
        const policy = parsePolicy(
          `datasets:
             a: {template: "a/%(visit)d_%(color)s", storage: JsonStorage, tables: src_meta}
             b: {template: "b/%(visit)d_%(color)s", storage: JsonStorage, tables: src_meta, columns: [visit]}
             c: {template: "c/%(visit)d_%(color)s", storage: JsonStorage, tables: src_meta, obsTimeName: taiObs}`,
          "constraints.yaml",
        );
        const m = new CameraMapper({ policy, registry: opened.registry });
        // tract is a column here, but a sky-map key: it must not constrain the lookup
        expect(await m.queryMetadata("a", ["visit"], { tract: 100 })).to.deep.equal([1, 2]);
        expect((await m.map("a", { visit: 2, tract: 100 })).locations).to.deep.equal(["a/2_red"]);
        // a taiObs constraint applies, unless taiObs is the dataset's observation-time key
        expect(await m.queryMetadata("a", ["visit"], { taiObs: "t1" })).to.deep.equal([1]);
        expect(await m.queryMetadata("c", ["visit"], { taiObs: "t1" })).to.deep.equal([1, 2]);
        // with `columns: [visit]` only visit constrains, so ccd 7 does not empty the result
        expect((await m.map("b", { visit: 1, ccd: 7 })).locations).to.deep.equal(["b/1_blue"]);
        expect((await rejection(m.map("a", { visit: 1, ccd: 7 }))).message).to.include("no registry entry");
      } finally {
        await opened.registry.close();
      }
    });

    it("never looks up tract or patch", async () => {
      const policy = parsePolicy("datasets:\n  deepCoadd: {template: 'deep/%(tract)d/%(patch)s/%(filter)s.fits', storage: FitsStorage, tables: raw}\n", "sky.yaml");
      const sky = new CameraMapper({ policy, registry });
      expect((await sky.map("deepCoadd", { tract: 0, patch: "1,1", filter: "g" })).locations).to.deep.equal(["deep/0/1,1/g.fits"]);
      expect(await rejection(sky.map("deepCoadd", { patch: "1,1", filter: "g" }))).to.be.instanceOf(DataIdError).with.property("key", "tract");
    });

    it("reports unknown dataset types with close names", async () => {
      const error = await rejection(mapper.map("calexpp", { visit: 1 }));
      expect(error).to.be.instanceOf(UnknownDatasetTypeError);
      expect(error.closeNames).to.deep.equal(["calexp"]);
      expect(error.message).to.include('did you mean "calexp"');
      expect((await rejection(mapper.map("jsonthing", {}))).closeNames).to.include("jsonThing");
      expect((await rejection(mapper.map("zzz", {}))).closeNames).to.deep.equal([]);
    });

    it("maps a calibration with a complete data id, and without a calibration registry says so", async () => {
      expect((await mapper.map("flat", { filter: "g", ccd: 1, calibDate: "2024-01-01" })).locations).to.deep.equal(["flat/2024-01-01/flat_fg_c01.fits"]);
      const error = await rejection(mapper.map("flat", { visit: 1, ccd: 1 }));
      expect(error).to.be.instanceOf(DataIdError).with.property("key", "calibDate");
      expect(error.message).to.include("calibration registry");
    });

    it("without a registry, maps complete data ids and names the key it cannot look up", async () => {
      const bare = await TestCamMapper.create();
      expect((await bare.map("raw", { visit: 1, ccd: 0, filter: "g" })).locations).to.deep.equal(["raw/v1_fg_c00.fits"]);
      const error = await rejection(bare.map("raw", { visit: 1, ccd: 0 }));
      expect(error).to.be.instanceOf(DataIdError).with.property("key", "filter");
      expect(error.message).to.include("no registry");
    });

    it("refuses a policy table the registry lacks with a RegistryError", async () => {
      const policy = parsePolicy("datasets:\n  x: {template: 'x/%(visit)d_%(color)s', storage: JsonStorage, tables: raw_skyTile}\n", "x.yaml");
      const error = await rejection(new CameraMapper({ policy, registry }).map("x", { visit: 1 }));
      expect(error).to.be.instanceOf(RegistryError);
      expect(error.message).to.include("raw_skyTile").and.include("raw, raw_visit");
    });

    it("names a missing key that is no registry column", async () => {
      const policy = parsePolicy("datasets:\n  x: {template: 'x/%(visit)d_%(color)s', storage: JsonStorage, tables: raw}\n", "x.yaml");
      const error = await rejection(new CameraMapper({ policy, registry }).map("x", { visit: 1 }));
      expect(error).to.be.instanceOf(DataIdError).with.property("key", "color");
      expect(error.message).to.include("not a column");
    });
  });

  describe("queryMetadata", () => {
    it("returns a list of values for one key", async () => {
      expect(await mapper.queryMetadata("raw", ["visit"], { filter: "g" })).to.deep.equal([1, 3]);
      expect(await mapper.queryMetadata("raw", ["filter"], {})).to.deep.equal(["g", "r"]);
    });

    it("returns a list of tuples for several keys", async () => {
      expect(await mapper.queryMetadata("calexp", ["visit", "ccd"], { filter: "r" })).to.deep.equal([
        [2, 0],
        [2, 1],
        [2, 2],
        [4, 0],
      ]);
    });

    it("copies tract and patch from the data id instead of querying them", async () => {
      expect(await mapper.queryMetadata("raw", ["tract", "visit"], { tract: 7, filter: "r" })).to.deep.equal([
        [7, 2],
        [7, 4],
      ]);
      expect(await rejection(mapper.queryMetadata("raw", ["patch"], {}))).to.be.instanceOf(DataIdError).with.property("key", "patch");
    });

    it("coerces data-id strings and refuses unknown keys and empty formats", async () => {
      expect(await mapper.queryMetadata("raw", ["ccd"], { visit: "4" })).to.deep.equal([0]);
      expect(await rejection(mapper.queryMetadata("raw", ["color"], {}))).to.be.instanceOf(DataIdError).with.property("key", "color");
      expect(await rejection(mapper.queryMetadata("raw", [], {}))).to.be.instanceOf(DataIdError);
      expect(await rejection(mapper.queryMetadata("processCcd_config", ["visit"], {}))).to.be.instanceOf(PolicyError);
    });
  });

  describe("keys and levels", () => {
    it("reports template keys plus registry columns, template types first", async () => {
      expect(mapper.getKeys("raw")).to.deep.equal({
        visit: "int", ccd: "int", filter: "str", expTime: "float", taiObs: "str", dateObs: "str", field: "str",
      });
      expect(mapper.getKeys("processCcd_config")).to.deep.equal({});
      expect(mapper.getKeys("jsonThing")).to.deep.include({ visit: "int", ccd: "int" });
    });

    it("drops the keys below a level named in the policy", async () => {
      expect(mapper.getKeys("raw", "visit")).to.not.have.property("ccd");
      expect(mapper.getKeys("raw", "visit")).to.have.property("visit");
      expect(mapper.getKeys("raw", "skyTile")).to.not.have.any.keys("visit", "ccd");
      expect(mapper.getKeys("raw", "noSuchLevel")).to.have.property("ccd");
      expect(mapper.getDefaultLevel()).to.equal("Ccd");
      expect(mapper.getDefaultSubLevel("visit")).to.equal("ccd");
    });

    it("lists dataset types in policy order, then their variants", async () => {
      const types = mapper.getDatasetTypes();
      expect(types.slice(0, 12)).to.deep.equal([
        "raw", "postISRCCD", "calexp", "flat", "bias", "src", "pickled", "processCcd_config", "jsonThing", "yamlThing", "rawAndFlat", "calexpAndSrc",
      ]);
      expect(types.slice(12, 19)).to.deep.equal(["raw_filename", "raw_md", "raw_sub", "raw_bbox", "raw_wcs", "raw_visitInfo", "raw_filter"]);
      expect(types).to.include.members(["flat_sub", "flat_bbox", "src_md", "src_len", "src_schema", "pickled_filename", "processCcd_config_filename"]);
      expect(types).to.not.include.members(["flat_wcs", "src_sub", "pickled_md", "rawAndFlat_filename"]);
      expect(new Set(types).size).to.equal(types.length);
    });
  });

  describe("per-type hooks", () => {
    class HookedMapper extends CameraMapper {
      map_special(dataId: DataId, options: MapOptions): ButlerLocation {
        return { datasetType: "special", storageName: "Internal", pythonType: "dict", locations: [], dataId: { ...dataId }, additionalData: { write: options.write ?? false } };
      }
      async map_calexp(dataId: DataId): Promise<ButlerLocation> {
        const location = await this.mapDataset(this.getDatasetPolicy("calexp"), dataId);
        return { ...location, locations: location.locations.map((l) => `${l}.gz`) };
      }
      query_calexp(format: readonly string[]): number[] {
        return format.map((f) => f.length);
      }
    }

    it("calls map_<type> and query_<type> before the policy, and lists hook-only types", async () => {
      const base = await TestCamMapper.create();
      const hooked = new HookedMapper({ policy: base.policy, registry });
      expect((await hooked.map("special", { a: 1 }, { write: true })).additionalData).to.deep.equal({ write: true });
      expect((await hooked.map("calexp", { visit: 1, ccd: 0 })).locations).to.deep.equal(["calexp/v1_fg_c00.fits.gz"]);
      expect(await hooked.queryMetadata("calexp", ["ab", "abc"], {})).to.deep.equal([2, 3]);
      expect(hooked.getDatasetTypes()).to.include("special").and.include("calexp");
      expect(hooked.getDatasetTypes().filter((t) => t === "calexp")).to.have.length(1);
    });
  });

  describe("closeNames", () => {
    it("suggests names within edit distance 2 or sharing a prefix", async () => {
      expect(levenshtein("kitten", "sitting")).to.equal(3);
      expect(levenshtein("", "abc")).to.equal(3);
      expect(closeNames("calexpp", ["calexp", "raw", "src"])).to.deep.equal(["calexp"]);
      expect(closeNames("cal", ["calexp", "calexpBackground", "raw"])).to.deep.equal(["calexp", "calexpBackground"]);
      expect(closeNames("sr", ["src", "raw"])).to.deep.equal(["src"]);
      expect(closeNames("cal", ["raw", "calexp"])).to.deep.equal(["calexp"]);
      expect(closeNames("deepCoadd", ["raw", "src"])).to.deep.equal([]);
    });
  });
});

import { expect } from "chai";
import { join } from "node:path";
import { loadPolicy, mergePolicy, parsePolicy } from "../../src/mapper/policy.js";
import { PolicyError } from "../../src/errors.js";
import { TestCamMapper } from "../../mappers/testcam/testcam-mapper.js";

const MINIMAL = `
camera: minicam
needCalibRegistry: false
levels: {skyTile: visit, tract: patch, sensor: none}
defaultLevel: visit
defaultSubLevels: {visit: ccd}
registryPath: reg/registry.sqlite3
defects: ../description/defects   # a camera's own key: tolerated
exposures:
  raw: {template: "raw/v%(visit)d.fits", tables: raw}
  calexp: {template: "calexp/v%(visit)d.fits", persistable: ExposureF, tables: [raw, raw_visit], level: Ccd, recipe: compressed}
images:
  some: {template: "img/%(ccd)02d.fits"}
calibrations:
  flat: {template: "flat/f%(filter)s.fits", columns: filter, reference: raw, refCols: [visit, ccd]}
datasets:
  src: {template: "src/v%(visit)d.fits", storage: FitsCatalogStorage, writeOnce: true}
  both: {composite: {raw: {datasetType: raw, inputOnly: true}, cal: {datasetType: calexp, setter: setCal}}, assembler: assembleBoth}
  ignoredThing: {storage: "ignored:camera"}
`;

describe("mapper policy", () => {
  it("reads the top-level keys and every section, applying section defaults", async () => {
    const policy = parsePolicy(MINIMAL, "minicam.yaml");
    expect(policy).to.include({ source: "minicam.yaml", camera: "minicam", needCalibRegistry: false, defaultLevel: "visit", registryPath: "reg/registry.sqlite3" });
    expect(policy.levels).to.deep.equal({ skyTile: ["visit"], tract: ["patch"], sensor: [] });
    expect(policy.defaultSubLevels).to.deep.equal({ visit: "ccd" });
    expect([...policy.datasets.keys()]).to.deep.equal(["raw", "calexp", "some", "flat", "src", "both", "ignoredThing"]);
    const raw = policy.datasets.get("raw")!;
    expect(raw).to.include({ section: "exposures", python: "Exposure", persistable: "Exposure", storage: "FitsStorage", validRange: false });
    expect(raw.tables).to.deep.equal(["raw"]);
    expect(raw.obsTimeName).to.equal(undefined);
    expect(policy.datasets.get("calexp")).to.include({ persistable: "ExposureF", level: "Ccd", recipe: "compressed" });
    expect(policy.datasets.get("some")).to.include({ section: "images", python: "Image", storage: "FitsStorage" });
    const flat = policy.datasets.get("flat")!;
    expect(flat).to.include({ validRange: true, obsTimeName: "taiObs", validStartName: "validStart", validEndName: "validEnd" });
    expect(flat.columns).to.deep.equal(["filter"]);
    expect(flat.refCols).to.deep.equal(["visit", "ccd"]);
    const src = policy.datasets.get("src")!;
    expect(src).to.include({ python: "Catalog", storage: "FitsCatalogStorage" });
    expect(src.extra).to.deep.equal({ writeOnce: true });
    expect(flat.tables).to.deep.equal(["flat"]); // a calibration's table defaults to its own name
    const both = policy.datasets.get("both")!;
    expect(both).to.include({ storage: "Composite", python: "object" });
    expect(both.template).to.equal(undefined);
    expect(both.extra).to.deep.equal({});
    expect(both.composite).to.deep.equal({
      components: {
        raw: { datasetType: "raw", inputOnly: true, subset: false },
        cal: { datasetType: "calexp", inputOnly: false, subset: false, setter: "setCal" },
      },
      assembler: "assembleBoth",
    });
    expect(policy.datasets.get("ignoredThing")!.template).to.equal(undefined);
  });

  it("needs a template, naming the file and the key", async () => {
    expect(() => parsePolicy("exposures:\n  calexp: {python: Exposure}\n", "cam.yaml"))
      .to.throw(PolicyError)
      .with.property("message")
      .that.matches(/^cam\.yaml: exposures\.calexp\.template is missing/);
  });

  it("needs a storage where the section has no default", async () => {
    expect(() => parsePolicy("datasets:\n  src: {template: src.fits}\n", "cam.yaml")).to.throw(PolicyError, /cam\.yaml: datasets\.src\.storage is missing/);
  });

  it("refuses a dataset type defined in two sections", async () => {
    const text = "exposures:\n  calexp: {template: a.fits}\ndatasets:\n  calexp: {template: b.fits, storage: FitsStorage}\n";
    expect(() => parsePolicy(text, "cam.yaml")).to.throw(PolicyError, /cam\.yaml: duplicate mapping policy for dataset type "calexp": defined in both exposures and datasets/);
  });

  it("refuses duplicate YAML keys, bad YAML, malformed templates and wrong types", async () => {
    expect(() => parsePolicy("exposures:\n  raw: {template: a.fits}\n  raw: {template: b.fits}\n", "dup.yaml")).to.throw(PolicyError, /dup\.yaml: not valid YAML/);
    expect(() => parsePolicy("exposures: [\n", "broken.yaml")).to.throw(PolicyError, /broken\.yaml/);
    expect(() => parsePolicy("exposures:\n  raw: {template: 'raw/%d.fits'}\n", "t.yaml")).to.throw(PolicyError, /t\.yaml: exposures\.raw\.template: malformed field/);
    expect(() => parsePolicy("exposures:\n  raw: {template: a.fits, tables: {a: 1}}\n", "t.yaml")).to.throw(PolicyError, /exposures\.raw\.tables must be a non-empty string/);
    expect(() => parsePolicy("needCalibRegistry: maybe\n", "t.yaml")).to.throw(PolicyError, /needCalibRegistry must be true or false/);
    expect(() => parsePolicy("exposures: [raw]\n", "t.yaml")).to.throw(PolicyError, /exposures must be a mapping/);
    expect(() => parsePolicy("- a\n", "t.yaml")).to.throw(PolicyError, /top level/);
    expect(() => parsePolicy("datasets:\n  c: {composite: {a: 1}}\n", "t.yaml")).to.throw(PolicyError, /datasets\.c\.composite\.a must be a mapping/);
    expect(() => parsePolicy("datasets:\n  c: {composite: {a: {}}}\n", "t.yaml")).to.throw(PolicyError, /datasets\.c\.composite\.a\.datasetType must be a non-empty string/);
    expect(() => parsePolicy("datasets:\n  c: {composite: {}}\n", "t.yaml")).to.throw(PolicyError, /names no components/);
  });

  it("merges a repository override over the camera policy and validates the result", async () => {
    const base = parsePolicy(MINIMAL, "minicam.yaml");
    const merged = mergePolicy(base, { exposures: { calexp: { template: "calexp2/v%(visit)d.fits" } }, defaultLevel: "Ccd" }, "repo cfg");
    expect(merged.datasets.get("calexp")).to.include({ template: "calexp2/v%(visit)d.fits", persistable: "ExposureF" });
    expect(merged.defaultLevel).to.equal("Ccd");
    expect(merged.source).to.equal("minicam.yaml + repo cfg");
    expect(base.datasets.get("calexp")!.template).to.equal("calexp/v%(visit)d.fits"); // base untouched
    expect(() => mergePolicy(base, { datasets: { raw: { template: "x.fits", storage: "FitsStorage" } } }, "repo cfg")).to.throw(PolicyError, /duplicate mapping policy/);
  });

  it("loads the testcam policy file and reports a missing file", async () => {
    const policy = await loadPolicy(TestCamMapper.policyUrl);
    expect(policy.camera).to.equal("testcam");
    expect(policy.datasets.get("raw")).to.include({ template: "raw/v%(visit)d_f%(filter)s_c%(ccd)02d.fits", level: "Ccd" });
    for (const name of ["raw", "calexp", "postISRCCD", "src", "pickled", "processCcd_config", "jsonThing", "yamlThing"]) {
      expect(policy.datasets.has(name), name).to.equal(true);
    }
    const missing = join("/nonexistent", "policy.yaml");
    let error: unknown;
    await loadPolicy(missing).catch((e) => (error = e));
    expect(error).to.be.instanceOf(PolicyError).with.property("message").that.includes(missing);
  });
});

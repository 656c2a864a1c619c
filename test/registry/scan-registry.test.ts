/**
 * ScanRegistry (Gen2 ScanRegistry/FsScanner): data ids parsed from file names, for repositories
 * without a registry file, and a mapper completing data ids through it.
 */
import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ScanRegistry } from "../../registry/scan/scan-registry.js";
import { templateScanner } from "../../registry/scan/template-scanner.js";
import { ClosedError, DataIdError, PolicyError, RegistryError } from "../../src/errors.js";
import { CameraMapper } from "../../src/mapper/camera-mapper.js";
import { parsePolicy } from "../../src/mapper/policy.js";
import { PosixStorage } from "../../src/storage/posix/posix-storage.js";
import { useTempDir } from "./registry-fixture.js";
import { rejection } from "../../src/testing/assertions.js";

const FOO = "foo-%(ccd)02d-%(filter)s.fits";
const POLICY = `
camera: posixcam
exposures:
  foo: {template: "${FOO}"}
  raw: {template: "raw/v%(visit)d/c%(ccd)03d_%(exptime).1f.fits"}
datasets:
  cfg: {template: "config/x.yaml", storage: YamlStorage}
  thing: {storage: ignored}
`;


describe("templateScanner", () => {
  it("parses keys back out of file names, with their types", async () => {
    const foo = templateScanner(FOO);
    expect(foo.prefix).to.equal("foo-");
    expect(foo.parse("foo-03-g.fits")).to.deep.equal({ ccd: 3, filter: "g" });
    expect(foo.parse("foo-12-HSC-R.fits")).to.deep.equal({ ccd: 12, filter: "HSC-R" });
    expect(templateScanner("r/v%(visit)d_%(x).2f_%(h)x.%(c)s").parse("r/v-7_1.50_ff.z")).to.deep.equal({ visit: -7, x: 1.5, h: 255, c: "z" });
  });

  it("accepts only names the template would write", async () => {
    const foo = templateScanner(FOO);
    for (const key of ["foo-3-g.fits", "foo-03-g.fit", "bar/foo-03-g.fits", "foo-03-.fits", "foo-03-a/b.fits", "foo-xx-g.fits"]) {
      expect(foo.parse(key), key).to.equal(undefined);
    }
    const twice = templateScanner("%(visit)d/v%(visit)d.fits");
    expect(twice.parse("5/v5.fits")).to.deep.equal({ visit: 5 });
    expect(twice.parse("5/v6.fits")).to.equal(undefined);
    expect(templateScanner("a%%b_%(x)s").parse("a%b_q")).to.deep.equal({ x: "q" });
  });
});

describe("ScanRegistry", () => {
  let storage!: PosixStorage;
  let registry!: ScanRegistry;
  after(async () => {
    await (registry as ScanRegistry | undefined)?.close();
    await (storage as PosixStorage | undefined)?.close();
  });
  const temp = useTempDir("posix-registry");
  const FILES = [
    "foo-00-g.fits", "foo-01-g.fits", "foo-01-r.fits", "foo-02-r.fits.gz", "foo-2-r.fits", "foo-notes.txt",
    "raw/v1/c001_30.0.fits", "raw/v1/c002_30.0.fits", "raw/v2/c001_15.5.fits", "other/foo-09-z.fits",
  ];
  before(async () => {
    for (const file of FILES) {
      await mkdir(dirname(join(temp.dir, file)), { recursive: true });
      await writeFile(join(temp.dir, file), "x");
    }
    storage = await PosixStorage.open(temp.dir);
    registry = new ScanRegistry(storage);
  });

  it("lists the files of each template (a .gz copy counts) and answers lookups from their names", async () => {
    await registry.prepare([FOO, "raw/v%(visit)d/c%(ccd)03d_%(exptime).1f.fits"]);
    expect(await registry.lookup(["filter"], FOO, { ccd: 1 })).to.deep.equal([{ filter: "g" }, { filter: "r" }]);
    expect(await registry.lookup(["filter"], FOO, { ccd: 2 })).to.deep.equal([{ filter: "r" }]);
    expect(await registry.lookup(["ccd", "filter"], FOO, {})).to.deep.equal([
      { ccd: 0, filter: "g" }, { ccd: 1, filter: "g" }, { ccd: 1, filter: "r" }, { ccd: 2, filter: "r" },
    ]);
    expect(await registry.lookup(["ccd"], FOO, { filter: "g", visit: 3 })).to.deep.equal([{ ccd: 0 }, { ccd: 1 }]); // visit is no template key: ignored
    expect(await registry.lookup(["exptime"], "raw/v%(visit)d/c%(ccd)03d_%(exptime).1f.fits", { visit: "2" })).to.deep.equal([{ exptime: 15.5 }]);
  });

  it("refuses keys that are not in the file names and unprepared templates", async () => {
    const error = await rejection(registry.lookup(["visit"], FOO, {}));
    expect(error).to.be.instanceOf(RegistryError);
    expect(error.message).to.include("no FITS headers");
    expect((await rejection(registry.lookup(["ccd"], "bar-%(ccd)d.fits", {}))).message).to.include("prepare");
    expect(registry.kind).to.equal("template");
  });

  it("sees new files after addKey or refresh", async () => {
    expect(registry.addKey("foo-05-i.fits")).to.equal(true);
    expect(registry.addKey("unrelated.txt")).to.equal(false);
    expect(await registry.lookup(["filter"], FOO, { ccd: 5 })).to.deep.equal([{ filter: "i" }]);
    await writeFile(join(temp.dir, "foo-07-y.fits"), "x");
    expect(await registry.lookup(["filter"], FOO, { ccd: 7 })).to.deep.equal([]);
    await registry.refresh();
    expect(await registry.lookup(["filter"], FOO, { ccd: 7 })).to.deep.equal([{ filter: "y" }]);
    expect(await registry.lookup(["filter"], FOO, { ccd: 5 })).to.deep.equal([]); // refresh lists what is there
  });

  it("CameraMapper.create prepares it with every template of the camera's policy", async () => {
    const { TestCamMapper } = await import("../../mappers/testcam/testcam-mapper.js");
    await mkdir(join(temp.dir, "calexp"), { recursive: true });
    await writeFile(join(temp.dir, "calexp/v3_fr_c01.fits"), "x");
    const posix = new ScanRegistry(storage);
    try {
      const mapper = await TestCamMapper.create({ registry: posix });
      expect(posix.templates).to.include("calexp/v%(visit)d_f%(filter)s_c%(ccd)02d.fits").and.not.include("flat/%(calibDate)s/flat_f%(filter)s_c%(ccd)02d.fits");
      expect((await mapper.map("calexp", { visit: 3, ccd: 1 })).locations).to.deep.equal(["calexp/v3_fr_c01.fits"]);
    } finally {
      await posix.close();
    }
  });

  it("lets a mapper complete data ids from file names", async () => {
    class PosixCamMapper extends CameraMapper {}
    const mapper = new PosixCamMapper({ policy: parsePolicy(POLICY, "posixcam.yaml"), registry: new ScanRegistry(storage) });
    await mapper.prepareRegistry();
    expect(mapper.getTemplates()).to.include(FOO);
    expect((await mapper.map("foo", { ccd: 0 })).locations).to.deep.equal(["foo-00-g.fits"]);
    expect((await mapper.map("foo", { ccd: "2" })).dataId).to.deep.equal({ ccd: 2, filter: "r" });
    expect((await mapper.map("raw", { visit: 1, ccd: 2 })).locations).to.deep.equal(["raw/v1/c002_30.0.fits"]);
    expect(await mapper.queryMetadata("foo", ["ccd"], { filter: "g" })).to.deep.equal([0, 1]);
    const ambiguous = await rejection(mapper.map("foo", { ccd: 1 }));
    expect(ambiguous).to.be.instanceOf(DataIdError).with.property("candidates").that.deep.equals(["g", "r"]);
    expect(await rejection(mapper.map("foo", { ccd: 9 }))).to.be.instanceOf(DataIdError);
    expect(mapper.getKeys("foo")).to.deep.equal({ ccd: "int", filter: "str" });
  });

  it("says clearly when a key is not in the file names, or a type has no template", async () => {
    const policy = parsePolicy(`${POLICY}  needsVisit: {template: "x/%(visit)d-%(ccd)d.yaml", storage: YamlStorage}\n`, "posixcam.yaml");
    const mapper = new CameraMapper({ policy, registry: new ScanRegistry(storage) });
    await mapper.prepareRegistry();
    const error = await rejection(mapper.queryMetadata("foo", ["visit"], {}));
    expect(error).to.be.instanceOf(DataIdError).with.property("key", "visit");
    expect(error.message).to.include("FITS headers are not read");
    const noTemplate = await rejection(mapper.map("thing", {}));
    expect(noTemplate).to.be.instanceOf(PolicyError);
    expect(noTemplate.message).to.include('"thing"').and.include("no template");
    expect((await mapper.map("needsVisit", { visit: 1, ccd: 2 })).locations).to.deep.equal(["x/1-2.yaml"]);
    expect(await rejection(mapper.map("needsVisit", { ccd: 2 }))).to.be.instanceOf(DataIdError).with.property("key", "visit");
  });

  it("is closed by close(), which leaves the storage open", async () => {
    const own = new ScanRegistry(storage);
    await own.prepare([FOO]);
    await own.close();
    expect(await rejection(own.lookup(["ccd"], FOO, {}))).to.be.instanceOf(ClosedError);
    expect(await storage.exists("foo-00-g.fits")).to.equal(true);
  });
});

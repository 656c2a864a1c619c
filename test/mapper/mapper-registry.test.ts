import { expect } from "chai";
import {
  isMapperRegistered,
  loadMapper,
  registerMapper,
  registeredMappers,
  unregisterMapper,
  type MapperClass,
} from "../../src/mapper/mapper-registry.js";
import { registerBuiltinMappers } from "../../mappers/index.js";
import { TestCamMapper } from "../../mappers/testcam/testcam-mapper.js";
import { ConfigError, PolicyError } from "../../src/errors.js";
import { rejection } from "../../src/testing/assertions.js";


describe("mapper registry", () => {
  const mine: string[] = [];
  const unique = (base: string): string => {
    const name = `${base}-${process.pid}-${mine.length}`;
    mine.push(name);
    return name;
  };
  after(() => {
    for (const name of mine) unregisterMapper(name);
  });

  it("registers the built-in testcam mapper idempotently", async () => {
    registerBuiltinMappers();
    registerBuiltinMappers();
    await import("../../mappers/index.js");
    expect(registeredMappers().filter((n) => n === "testcam")).to.deep.equal(["testcam"]);
    const cls = await loadMapper("testcam");
    // Not identity: under mocha + tsx the test files are require()d while the loader's import()
    // gets a second (ESM) copy of the same module, so classes from the two graphs differ.
    expect((cls as unknown as { name: string }).name).to.equal("TestCamMapper");
    const mapper = await cls.create();
    expect(typeof mapper.getDatasetTypes).to.equal("function");
    expect(mapper.name).to.equal("testcam");
    expect((await mapper.map("raw", { visit: 1, ccd: 2, filter: "g" })).locations).to.deep.equal(["raw/v1_fg_c02.fits"]);
  });

  it("imports lazily and only once", async () => {
    let calls = 0;
    const name = unique("lazy");
    registerMapper(name, async () => {
      calls++;
      return TestCamMapper;
    });
    expect(calls).to.equal(0);
    const [a, b] = await Promise.all([loadMapper(name), loadMapper(name)]);
    expect(a).to.equal(b);
    expect(calls).to.equal(1);
    expect(isMapperRegistered(name)).to.equal(true);
  });

  it("refuses a duplicate name and an invalid name", async () => {
    const name = unique("dup");
    registerMapper(name, async () => TestCamMapper);
    expect(() => registerMapper(name, async () => TestCamMapper)).to.throw(ConfigError, /already registered/);
    expect(() => registerMapper("lsst.obs.test:TestMapper !!python", async () => TestCamMapper)).to.throw(ConfigError, /invalid mapper name/);
  });

  it("names the known mappers for an unknown one", async () => {
    const error = await rejection(loadMapper("hsc"));
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.message).to.include('"hsc"').and.include("testcam");
  });

  it("wraps a failing loader in ConfigError and allows a retry", async () => {
    let fail = true;
    const name = unique("flaky");
    registerMapper(name, async () => {
      if (fail) throw new Error("Cannot find module 'obs-hsc'");
      return TestCamMapper;
    });
    const error = await rejection(loadMapper(name));
    expect(error).to.be.instanceOf(ConfigError).with.property("message").that.includes("obs-hsc");
    fail = false;
    expect(await loadMapper(name)).to.equal(TestCamMapper);
  });

  it("refuses a loader result without create()", async () => {
    const name = unique("nocreate");
    registerMapper(name, async () => ({}) as unknown as MapperClass);
    expect(await rejection(loadMapper(name))).to.be.instanceOf(ConfigError).with.property("message").that.includes("create()");
  });

  it("passes a repository policy override to the testcam mapper", async () => {
    const mapper = await TestCamMapper.create({ policyOverride: { exposures: { calexp: { template: "cx/%(visit)d.fits" } } } });
    expect((await mapper.map("calexp", { visit: 5 })).locations).to.deep.equal(["cx/5.fits"]);
    expect((await (await TestCamMapper.create()).map("calexp", { visit: 5, ccd: 0, filter: "g" })).locations).to.deep.equal(["calexp/v5_fg_c00.fits"]);
    const error = await rejection(TestCamMapper.create({ policyOverride: { datasets: { raw: { template: "x", storage: "FitsStorage" } } } }));
    expect(error).to.be.instanceOf(PolicyError);
  });
});

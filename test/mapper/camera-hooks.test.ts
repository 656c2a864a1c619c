/**
 * Per-type hooks (std_, bypass_), the CameraMapper.create helper every camera uses, repository
 * policy overrides, and the second camera (minicam), which needs no change in src/.
 */
import { expect } from "chai";
import { join } from "node:path";
import { MiniCamMapper } from "../../mappers/minicam/minicam-mapper.js";
import { TestCamMapper } from "../../mappers/testcam/testcam-mapper.js";
import { registerBuiltinMappers } from "../../mappers/index.js";
import { buildRegistry } from "../../registry/build-registry.js";
import type { SqliteRegistry } from "../../registry/sqlite/sqlite-registry.js";
import type { DataId } from "../../src/data-id.js";
import { PolicyError, UnknownDatasetTypeError, UsageError } from "../../src/errors.js";
import { writeFits } from "../../src/fits/index.js";
import { makeBox2I } from "../../src/image/box.js";
import { Header } from "../../src/image/header.js";
import { Exposure } from "../../src/image/masked-image.js";
import type { BypassContext } from "../../src/mapper/butler-location.js";
import { CameraMapper } from "../../src/mapper/camera-mapper.js";
import { loadMapper } from "../../src/mapper/mapper-registry.js";
import { PosixStorage } from "../../src/storage/posix/posix-storage.js";
import { openRegistry, useTempDir } from "../registry/registry-fixture.js";
import { readThrough } from "./read-through.js";
import { rejection } from "../../src/testing/assertions.js";


class HookedMapper extends TestCamMapper {
  std_calexp(item: unknown, dataId: Readonly<DataId>): unknown {
    return { standardized: item, visit: dataId.visit };
  }
  bypass_raw(ctx: BypassContext): string {
    return `bypassed ${ctx.filename}`;
  }
  bypass_calexp_bbox(): string {
    return "my bbox";
  }
  bypass_calexp_visitLabel(ctx: BypassContext): string {
    return `visit ${String(ctx.location.dataId.visit)}`;
  }
}

describe("per-type hooks", () => {
  let hooked: HookedMapper;
  before(async () => {
    hooked = await HookedMapper.create();
  });
  const ID = { visit: 1, ccd: 0, filter: "g" };

  it("standardize applies std_<type>, also to its _sub variant, and passes other items through", async () => {
    expect(await hooked.standardize("calexp", "x", { visit: 4 })).to.deep.equal({ standardized: "x", visit: 4 });
    expect(await hooked.standardize("calexp_sub", "x", { visit: 4 })).to.deep.equal({ standardized: "x", visit: 4 });
    expect(await hooked.standardize("calexp_md", "x", { visit: 4 })).to.equal("x");
    expect(await hooked.standardize("raw", "x", {})).to.equal("x");
  });

  it("bypass_<type> sets the location's bypass on get, never on put", async () => {
    const location = await hooked.map("raw", ID);
    expect(await location.bypass!({ location, filename: "/k" })).to.equal("bypassed /k");
    expect((await hooked.map("raw", ID, { write: true })).bypass).to.equal(undefined);
  });

  it("a bypass_ hook overrides a built-in variant's bypass", async () => {
    const location = await hooked.map("calexp_bbox", ID);
    expect(location.bypass!({ location, filename: "/k" })).to.equal("my bbox");
  });

  it("bypass_<base>_<name> defines a read-only type on a known base", async () => {
    expect(hooked.getDatasetTypes()).to.include("calexp_visitLabel");
    const location = await hooked.map("calexp_visitLabel", ID);
    expect(location.locations).to.deep.equal((await hooked.map("calexp", ID)).locations);
    expect(location.bypass!({ location, filename: "/k" })).to.equal("visit 1");
    expect(await rejection(hooked.map("calexp_visitLabel", ID, { write: true }))).to.be.instanceOf(UsageError);
    expect(hooked.getKeys("calexp_visitLabel")).to.deep.equal(hooked.getKeys("calexp"));
  });
});

describe("CameraMapper.create", () => {
  it("needs a policyUrl on the class", async () => {
    let error: unknown;
    await CameraMapper.create().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(PolicyError).with.property("message").that.includes("policyUrl");
  });

  it("loads a camera's policy once and shares it; an override applies to that mapper only", async () => {
    const a = await TestCamMapper.create();
    const b = await TestCamMapper.create();
    expect(a.policy).to.equal(b.policy);
    expect(a.name).to.equal("testcam");
    const overridden = await TestCamMapper.create({ policyOverride: { exposures: { calexp: { template: "mine/calexp-%(visit)d-%(ccd)d-%(filter)s.fits" } } } });
    const id = { visit: 1, ccd: 2, filter: "g" };
    expect((await overridden.map("calexp", id)).locations).to.deep.equal(["mine/calexp-1-2-g.fits"]);
    expect((await a.map("calexp", id)).locations).to.deep.equal(["calexp/v1_fg_c02.fits"]);
    expect((await (await TestCamMapper.create()).map("calexp", id)).locations).to.deep.equal(["calexp/v1_fg_c02.fits"]);
    expect((await overridden.map("raw", id)).locations).to.deep.equal((await a.map("raw", id)).locations);
    expect((await overridden.map("calexp_filename", id)).locations).to.deep.equal(["mine/calexp-1-2-g.fits"]);
  });
});

describe("second camera: minicam", () => {
  let registry!: SqliteRegistry;
  let storage!: PosixStorage;
  let mapper!: MiniCamMapper;
  after(async () => {
    await (storage as PosixStorage | undefined)?.close();
    await (registry as SqliteRegistry | undefined)?.close();
  });
  const temp = useTempDir("minicam");
  const RAW = { visit: 1234567, raft: "22", sensor: "11" };
  before(async () => {
    const path = join(temp.dir, "registry.sqlite3");
    buildRegistry(path, [
      { visit: 1234567, raft: "22", sensor: "11", filter: "i", expTime: 15 },
      { visit: 1234567, raft: "22", sensor: "12", filter: "i", expTime: 15 },
      { visit: 1234568, raft: "22", sensor: "11", filter: "z", expTime: 15 },
    ], { visitColumns: ["filter", "expTime"], unique: ["visit", "raft", "sensor"] });
    ({ registry } = openRegistry(path));
    mapper = await MiniCamMapper.create({ registry });
    storage = await PosixStorage.open(temp.dir);
    const key = (await mapper.map("raw", RAW)).locations[0]!;
    const { mkdir } = await import("node:fs/promises");
    const { dirname } = await import("node:path");
    await mkdir(dirname(join(temp.dir, key)), { recursive: true });
    await writeFits(join(temp.dir, key), [{ kind: "image", header: Header.fromObject({ EXPTIME: 15 }), data: new Uint16Array(16 * 8).fill(7), shape: [8, 16] }]);
  });

  it("is registered as a built-in mapper and loads by name", async () => {
    registerBuiltinMappers();
    expect(await loadMapper("minicam")).to.equal(MiniCamMapper);
    expect(mapper.name).to.equal("minicam");
  });

  it("has its own keys, templates and levels", async () => {
    expect((await mapper.map("raw", RAW)).locations).to.deep.equal(["raw/1234567/R22/raw_1234567_R22_S11.fits"]);
    expect((await mapper.map("calexp", RAW)).locations).to.deep.equal(["calexp/1234567-i/R22/S11.fits"]); // filter from the registry
    expect(mapper.getKeys("raw")).to.include({ visit: "int", raft: "str", sensor: "str" });
    expect(mapper.getKeys("raw", "raft")).to.not.have.property("sensor");
    expect(await mapper.queryMetadata("raw", ["sensor"], { visit: 1234567 })).to.deep.equal(["11", "12"]);
    expect(mapper.getDatasetTypes()).to.include.members(["raw", "calexp", "src", "raw_detectorName", "raw_md", "raw_sub", "src_len"]);
  });

  it("std_raw sets FILTER from the registry and DETNAME, on a full read and on a _sub read", async () => {
    const raw = (await readThrough(mapper, storage, "raw", RAW)) as Exposure;
    expect(raw.metadata.get("FILTER")).to.equal("i");
    expect(raw.metadata.get("DETNAME")).to.equal("R22_S11");
    const sub = (await readThrough(mapper, storage, "raw_sub", { ...RAW, bbox: makeBox2I(2, 2, 4, 4) })) as Exposure;
    expect([sub.width, sub.metadata.get("FILTER"), sub.metadata.get("DETNAME")]).to.deep.equal([4, "i", "R22_S11"]);
  });

  it("raw_detectorName is computed by bypass_raw_detectorName without reading pixels", async () => {
    expect(await readThrough(mapper, storage, "raw_detectorName", RAW)).to.equal("R22_S11");
    expect(await rejection(mapper.map("raw_detectorName", RAW, { write: true }))).to.be.instanceOf(UsageError);
    expect(await rejection(mapper.map("raw_detectorNam", RAW))).to.be.instanceOf(UnknownDatasetTypeError).with.property("closeNames").that.includes("raw_detectorName");
  });
});

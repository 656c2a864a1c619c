/**
 * Calibration lookups by validity date (Gen2 CalibrationMapping), against registries built here
 * and against the sample repository's calibrations (scripts/sample-calibs.ts).
 */
import { expect } from "chai";
import { join } from "node:path";
import { TestCamMapper } from "../../mappers/testcam/testcam-mapper.js";
import { buildCalibRegistry, buildRegistry } from "../../registry/build-registry.js";
import type { SqliteRegistry } from "../../registry/sqlite/sqlite-registry.js";
import { generateSampleCalibs, SAMPLE_CALIB_PERIODS, sampleFlatLevel } from "../../scripts/sample-calibs.js";
import { generateSampleRepo } from "../../scripts/sample-data.js";
import { DataIdError } from "../../src/errors.js";
import type { Exposure } from "../../src/image/masked-image.js";
import { parsePolicy } from "../../src/mapper/policy.js";
import { CameraMapper } from "../../src/mapper/camera-mapper.js";
import { PosixStorage } from "../../src/storage/posix/posix-storage.js";
import { openRegistry, useTempDir } from "../registry/registry-fixture.js";
import { readThrough } from "./read-through.js";
import { rejection } from "../../src/testing/assertions.js";


const VISITS = [
  { visit: 1, filter: "g", taiObs: "2026-03-01T03:00:00.000" },
  { visit: 2, filter: "g", taiObs: "2026-03-01T03:05:00.000" },
  { visit: 3, filter: "r", taiObs: "2026-03-02T04:00:00.000" },
  { visit: 4, filter: "r", taiObs: "2026-03-02T04:05:00.000" },
  { visit: 5, filter: "g", taiObs: "2026-05-01T00:00:00.000" }, // after every validity range
];

describe("calibration lookup", () => {
  const registries: SqliteRegistry[] = [];
  let mapper!: TestCamMapper;
  after(async () => {
    for (const r of registries) await r.close();
  });
  const temp = useTempDir("calibration");
  before(async () => {
    const exposures = join(temp.dir, "registry.sqlite3");
    buildRegistry(exposures, VISITS.flatMap((v) => [0, 1].map((ccd) => ({ ...v, ccd, expTime: 30 }))));
    const calibs = join(temp.dir, "calibRegistry.sqlite3");
    const periods = [
      { calibDate: "2026-02-28", validStart: "2026-02-28T00:00:00.000", validEnd: "2026-03-01T23:59:59.999" },
      { calibDate: "2026-03-02", validStart: "2026-03-02T00:00:00.000", validEnd: "2026-03-31T23:59:59.999" },
    ];
    buildCalibRegistry(calibs, {
      flat: periods.flatMap((p) => ["g", "r"].flatMap((filter) => [0, 1].map((ccd) => ({ ...p, filter, ccd })))),
      // ccd 1's bias has an extra, overlapping product in March: ambiguous at visit 3
      bias: [...periods.flatMap((p) => [0, 1].map((ccd) => ({ ...p, ccd }))), { calibDate: "2026-03-02b", validStart: "2026-03-02T00:00:00.000", validEnd: "2026-03-02T23:00:00.000", ccd: 1 }],
    });
    const registry = openRegistry(exposures).registry;
    const calibRegistry = openRegistry(calibs).registry;
    registries.push(registry, calibRegistry);
    mapper = await TestCamMapper.create({ registry, calibRegistry });
  });

  it("picks the flat valid at the exposure's taiObs: visits 1 and 3 get different flats", async () => {
    const one = await mapper.map("flat", { visit: 1, ccd: 1 });
    const three = await mapper.map("flat", { visit: 3, ccd: 1 });
    expect(one.locations).to.deep.equal(["flat/2026-02-28/flat_fg_c01.fits"]);
    expect(three.locations).to.deep.equal(["flat/2026-03-02/flat_fr_c01.fits"]);
    expect(one.dataId).to.deep.equal({ visit: 1, ccd: 1, calibDate: "2026-02-28", filter: "g" });
    expect((await mapper.map("flat", { visit: "2", ccd: "0" })).locations).to.deep.equal(["flat/2026-02-28/flat_fg_c00.fits"]);
    expect((await mapper.map("bias", { visit: 4, ccd: 0 })).locations).to.deep.equal(["bias/2026-03-02/bias_c00.fits"]);
  });

  it("uses a filter or taiObs given in the data id instead of the exposure's", async () => {
    expect((await mapper.map("flat", { visit: 1, ccd: 1, filter: "r" })).locations).to.deep.equal(["flat/2026-02-28/flat_fr_c01.fits"]);
    expect((await mapper.map("flat", { taiObs: "2026-03-10T00:00:00.000", filter: "g", ccd: 0 })).locations).to.deep.equal(["flat/2026-03-02/flat_fg_c00.fits"]);
  });

  it("raises DataIdError when no calibration is valid at the observation time", async () => {
    const error = await rejection(mapper.map("flat", { visit: 5, ccd: 1 }));
    expect(error).to.be.instanceOf(DataIdError).with.property("key", "calibDate");
    expect(error.message).to.include("valid").and.include('"flat"');
    expect(await rejection(mapper.map("flat", { taiObs: "2025-01-01T00:00:00.000", filter: "g", ccd: 0 }))).to.be.instanceOf(DataIdError);
  });

  it("raises DataIdError listing the candidates when validity ranges overlap", async () => {
    const error = await rejection(mapper.map("bias", { visit: 3, ccd: 1 }));
    expect(error).to.be.instanceOf(DataIdError);
    expect(error.candidates).to.deep.equal(["2026-03-02", "2026-03-02b"]);
    expect((await mapper.map("bias", { visit: 3, ccd: 0 })).locations).to.deep.equal(["bias/2026-03-02/bias_c00.fits"]);
  });

  it("says what is missing: an unknown visit, no time at all, no registries", async () => {
    const unknown = await rejection(mapper.map("flat", { visit: 99, ccd: 1 }));
    expect(unknown).to.be.instanceOf(DataIdError);
    expect(unknown.message).to.include("raw_visit").and.include('"visit":99');
    const noTime = await rejection(mapper.map("flat", { filter: "g", ccd: 1 }));
    expect(noTime).to.be.instanceOf(DataIdError).with.property("key", "taiObs");
    expect(noTime.message).to.include('"visit"');
    const bare = await TestCamMapper.create({ registry: registries[0] });
    expect((await rejection(bare.map("flat", { visit: 1, ccd: 1 }))).message).to.include("calibRegistry.sqlite3");
    const noExposures = await TestCamMapper.create({ calibRegistry: registries[1] });
    expect((await rejection(noExposures.map("flat", { visit: 1, ccd: 1 }))).message).to.include("exposure registry");
  });

  it("queryMetadata of a calibration: at the exposure's time when known, else every period", async () => {
    expect(await mapper.queryMetadata("flat", ["calibDate"], { visit: 3, ccd: 0 })).to.deep.equal(["2026-03-02"]);
    expect(await mapper.queryMetadata("flat", ["calibDate"], { filter: "g", ccd: 0 })).to.deep.equal(["2026-02-28", "2026-03-02"]);
    expect(await mapper.queryMetadata("flat", ["calibDate", "filter"], { visit: 1, ccd: 0 })).to.deep.equal([["2026-02-28", "g"]]);
  });

  it("reports the calibration registry's columns as the keys of a calibration", async () => {
    expect(mapper.getKeys("flat")).to.include({ calibDate: "str", filter: "str", ccd: "int", validStart: "str" });
  });

  it("honours validStartName/validEndName/obsTimeName from the policy", async () => {
    const policy = parsePolicy(
      "calibrations:\n  dark: {template: 'dark/%(calibDate)s.fits', reference: raw_visit, refCols: visit, columns: dateObs, obsTimeName: dateObs, validStartName: since, validEndName: until}\n",
      "dark.yaml",
    );
    const calibs = join(temp.dir, "dark.sqlite3");
    buildCalibRegistry(calibs, { dark: [{ calibDate: "d1", since: "2026-01", until: "2026-03-01T12" }, { calibDate: "d2", since: "2026-03-01T12", until: "2027" }] }, { validStartName: "since", validEndName: "until" });
    const exposures = join(temp.dir, "dark-exposures.sqlite3");
    buildRegistry(exposures, [{ visit: 1, ccd: 0, dateObs: "2026-03-01T03" }, { visit: 2, ccd: 0, dateObs: "2026-03-02T03" }]);
    const calibRegistry = openRegistry(calibs).registry;
    const registry = openRegistry(exposures).registry;
    registries.push(calibRegistry, registry);
    const dark = new CameraMapper({ policy, registry, calibRegistry });
    expect((await dark.map("dark", { visit: 1 })).locations).to.deep.equal(["dark/d1.fits"]);
    expect((await dark.map("dark", { visit: 2 })).locations).to.deep.equal(["dark/d2.fits"]);
  });
});

describe("sample calibrations (scripts/sample-calibs.ts)", () => {
  const registries: SqliteRegistry[] = [];
  let storage: PosixStorage | undefined;
  after(async () => {
    await storage?.close();
    for (const r of registries) await r.close();
  });
  const temp = useTempDir("sample-calibs");

  it("gives visits 1–2 and 3–4 different flats and biases, which read back with their period's level", async () => {
    const repo = join(temp.dir, "repo");
    await generateSampleRepo(repo);
    await generateSampleCalibs(repo);
    const registry = openRegistry(join(repo, "registry.sqlite3")).registry;
    const calibRegistry = openRegistry(join(repo, "calibRegistry.sqlite3")).registry;
    registries.push(registry, calibRegistry);
    const mapper = await TestCamMapper.create({ registry, calibRegistry });
    storage = await PosixStorage.open(repo);
    const periodOf = (visit: number) => (visit <= 2 ? 0 : 1);
    for (const visit of [1, 2, 3, 4]) {
      const flat = await mapper.map("flat", { visit, ccd: 2 });
      expect(flat.dataId.calibDate, `visit ${visit}`).to.equal(SAMPLE_CALIB_PERIODS[periodOf(visit)]!.calibDate);
      expect(await storage.exists(flat.locations[0]!)).to.equal(true);
      expect(await storage.exists((await mapper.map("bias", { visit, ccd: 2 })).locations[0]!)).to.equal(true);
    }
    const flat1 = (await readThrough(mapper, storage, "flat", { visit: 1, ccd: 0 })) as Exposure;
    const flat3 = (await readThrough(mapper, storage, "flat", { visit: 3, ccd: 0 })) as Exposure;
    expect(flat1.metadata.get("CALIBDAT")).to.equal("2026-02-28");
    expect(flat3.metadata.get("FILTER")).to.equal("r");
    const centre = (e: Exposure) => e.image.get(e.width / 2, 10);
    expect(centre(flat1)).to.be.closeTo(sampleFlatLevel(0), 1e-6);
    expect(centre(flat3)).to.be.closeTo(sampleFlatLevel(1), 1e-6);
  });
});

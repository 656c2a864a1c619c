/**
 * The variants CameraMapper synthesises (Gen2 `_initMappings`), mapped and then read end to end
 * through the formatters and bypasses over a real PosixStorage.
 */
import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { TestCamMapper } from "../../mappers/testcam/testcam-mapper.js";
import { DataIdError, FormatterError, UnknownDatasetTypeError, UsageError } from "../../src/errors.js";
import { writeFits } from "../../src/fits/index.js";
import { formatterFor } from "../../src/formatters/index.js";
import { maskedImageToHdus } from "../../src/formatters/exposure-hdus.js";
import { makeBox2I } from "../../src/image/box.js";
import { Catalog } from "../../src/image/catalog.js";
import { Header } from "../../src/image/header.js";
import { Exposure, MaskedImage } from "../../src/image/masked-image.js";
import type { CatalogSchema } from "../../src/image/catalog-schema.js";
import type { Wcs } from "../../src/image/wcs.js";
import { PosixStorage } from "../../src/storage/posix/posix-storage.js";
import { useTempDir } from "../registry/registry-fixture.js";
import { countingStorage, processReadBytes, readThrough } from "./read-through.js";
import { defaultTempScope } from "../../src/temp/index.js";
import { rejection } from "../../src/testing/assertions.js";

const CALEXP = { visit: 1, ccd: 2, filter: "g" } as const;
const RAW = { visit: 1, ccd: 0, filter: "g" } as const;
const SRC = { visit: 1, ccd: 0, filter: "g" } as const;
// Big enough that a full read and a 32×24 cut-out differ by orders of magnitude in bytes read.
const WIDTH = 1024;
const HEIGHT = 768;
const X0 = 100;
const Y0 = 50;


async function rejected(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection");
}

function calexp(): Exposure {
  const mi = MaskedImage.create(WIDTH, HEIGHT);
  for (let i = 0; i < mi.image.data.length; i++) {
    mi.image.data[i] = i % 9973;
    mi.mask.data[i] = i % 7;
    mi.variance.data[i] = (i % 13) / 2;
  }
  for (const plane of [mi.image, mi.mask, mi.variance]) [plane.x0, plane.y0] = [X0, Y0];
  const metadata = Header.fromObject({
    FILTER: "r", EXPTIME: 30, DARKTIME: 31.5, "DATE-OBS": "2026-03-01T03:00:00.000", TIMESYS: "TAI", "MJD-OBS": 61100.125, AIRMASS: 1.2,
    CTYPE1: "RA---TAN", CTYPE2: "DEC--TAN", CRPIX1: 512.5, CRPIX2: 384.5, CRVAL1: 150.1, CRVAL2: 2.2,
    CD1_1: -5e-5, CD1_2: 0, CD2_1: 0, CD2_2: 5e-5, RADESYS: "ICRS", EQUINOX: 2000,
  });
  return new Exposure(mi, metadata);
}

describe("CameraMapper variants", () => {
  let mapper!: TestCamMapper;
  let storage!: PosixStorage;
  after(async () => {
    await (storage as PosixStorage | undefined)?.close();
  });
  const temp = useTempDir("variants");
  before(async () => {
    mapper = await TestCamMapper.create();
    storage = await PosixStorage.open(temp.dir, { create: true });
    await mkdir(join(temp.dir, "calexp"), { recursive: true });
    await mkdir(join(temp.dir, "raw"), { recursive: true });
    const exposure = calexp();
    await writeFits(join(temp.dir, (await mapper.map("calexp", CALEXP)).locations[0]!), maskedImageToHdus(exposure.maskedImage, exposure.metadata));
    // a camera's raw: pixels in the primary HDU, no FILTER card
    const raw = new Uint16Array(64 * 48).map((_, i) => 1000 + (i % 500));
    await writeFits(join(temp.dir, (await mapper.map("raw", RAW)).locations[0]!), [
      { kind: "image", header: Header.fromObject({ EXPTIME: 15, "DATE-OBS": "2026-03-01T03:00:00.000" }), data: raw, shape: [48, 64] },
    ]);
    const src = new Catalog({ id: new Int32Array([1, 2, 3]), flux: new Float64Array([10, 20, 30]) }, Header.fromObject({ SRCVERS: 2 }));
    src.info.set("flux", { unit: "count" });
    await formatterFor("FitsCatalogStorage").write(src, { storage, key: (await mapper.map("src", SRC)).locations[0]!, location: (await mapper.map("src", SRC)), temp: defaultTempScope });
  });

  describe("mapping", () => {
    it("maps a variant like its base, with its own name, python type and additional data", async () => {
      const base = await mapper.map("calexp", CALEXP);
      const md = await mapper.map("calexp_md", CALEXP);
      expect(md).to.include({ datasetType: "calexp_md", storageName: "FitsStorage", pythonType: "Header" });
      expect(md.locations).to.deep.equal(base.locations);
      expect(md.additionalData).to.deep.equal({ ...base.additionalData, hdu: 0 });
      expect((await mapper.map("src_md", SRC)).additionalData).to.include({ hdu: 1 });
      const sub = await mapper.map("calexp_sub", { ...CALEXP, bbox: makeBox2I(110, 60, 32, 24), imageOrigin: "LOCAL" });
      expect(sub).to.include({ datasetType: "calexp_sub", pythonType: "Exposure" });
      expect(sub.dataId).to.deep.equal(CALEXP); // bbox and imageOrigin are not part of the data id
      expect(sub.additionalData).to.include({ llcX: 110, llcY: 60, width: 32, height: 24, imageOrigin: "LOCAL" });
      expect(sub.bypass).to.equal(undefined);
      expect([md.view, sub.view]).to.deep.equal(["header", "sub"]);
      for (const [type, python, view] of [["calexp_bbox", "Box2I", "bbox"], ["calexp_wcs", "Wcs", "wcs"], ["calexp_visitInfo", "VisitInfo", "visitInfo"], ["calexp_filter", "string", "filter"], ["src_len", "number", "len"], ["src_schema", "CatalogSchema", "schema"]] as const) {
        // header-only values are views the formatter produces, not mapper code
        const location = await mapper.map(type, type.startsWith("src") ? SRC : CALEXP);
        expect([location.pythonType, location.view, location.bypass], type).to.deep.equal([python, view, undefined]);
      }
      for (const type of ["calexp_filename", "jsonThing_filename"]) {
        const location = await mapper.map(type, CALEXP);
        expect([location.pythonType, typeof location.bypass, location.view], type).to.deep.equal(["string[]", "function", undefined]);
      }
    });

    it("completes the base's data id through the registry lookup path (missing keys still need a registry)", async () => {
      const error = await rejection(mapper.map("calexp_md", { visit: 1, ccd: 2 }));
      expect(error).to.be.instanceOf(DataIdError).with.property("key", "filter");
    });

    it("refuses variants a base does not have, and variants of unknown types", async () => {
      for (const type of ["src_sub", "src_wcs", "flat_wcs", "pickled_md", "nothing_md", "calexp_md_md"]) {
        expect((await rejection(mapper.map(type, CALEXP))), type).to.be.instanceOf(UnknownDatasetTypeError);
      }
      expect((await rejection(mapper.map("calexx_md", CALEXP))).closeNames).to.include("calexp_md");
    });

    it("needs a valid bbox for _sub, and refuses a bbox elsewhere", async () => {
      expect(await rejection(mapper.map("calexp_sub", CALEXP))).to.be.instanceOf(DataIdError).with.property("key", "bbox");
      expect(await rejection(mapper.map("calexp_sub", { ...CALEXP, bbox: { x0: 0, y0: 0, width: -1, height: 2 } }))).to.be.instanceOf(DataIdError).with.property("key", "bbox");
      expect(await rejection(mapper.map("calexp_sub", { ...CALEXP, bbox: { x0: 0.5, y0: 0, width: 1, height: 2 } }))).to.be.instanceOf(DataIdError).with.property("key", "bbox");
      expect(await rejection(mapper.map("calexp_sub", { ...CALEXP, bbox: makeBox2I(0, 0, 1, 1), imageOrigin: "WORLD" }))).to.be.instanceOf(DataIdError).with.property("key", "imageOrigin");
      const error = await rejection(mapper.map("calexp", { ...CALEXP, bbox: makeBox2I(0, 0, 1, 1) }));
      expect(error).to.be.instanceOf(DataIdError).with.property("key", "bbox");
      expect(error.message).to.include("_sub");
    });

    it("refuses to map a variant for a put, and the formatter refuses to write one", async () => {
      const error = await rejection(mapper.map("calexp_md", CALEXP, { write: true }));
      expect(error).to.be.instanceOf(UsageError);
      expect(error.message).to.include("read-only").and.include('put "calexp"');
      expect(await rejection(mapper.map("calexp_sub", { ...CALEXP, bbox: makeBox2I(0, 0, 1, 1) }, { write: true }))).to.be.instanceOf(UsageError);
      const md = await mapper.map("calexp_md", CALEXP);
      const written = await rejected(formatterFor("FitsStorage").write(calexp(), { storage, key: "calexp/other.fits", location: md, temp: defaultTempScope }));
      expect(written).to.be.instanceOf(FormatterError);
      expect(await storage.exists("calexp/other.fits")).to.equal(false);
    });
  });

  describe("reading", () => {
    it("_filename is the local path (what open() takes), in a list", async () => {
      const key = (await mapper.map("calexp", CALEXP)).locations[0]!;
      expect(await readThrough(mapper, storage, "calexp_filename", CALEXP)).to.deep.equal([fileURLToPath(storage.uriOf(key))]);
    });

    it("_md is the whole header (Gen2's readMetadata): a full read's metadata plus the structure, for exposures, raw files and catalogs", async () => {
      const full = (await readThrough(mapper, storage, "calexp", CALEXP)) as Exposure;
      const md = (await readThrough(mapper, storage, "calexp_md", CALEXP)) as Header;
      expect(md).to.be.instanceOf(Header);
      // the IMAGE extension's header, then the primary's cards (the metadata) after it
      expect([md.get("XTENSION"), md.get("BITPIX"), md.get("NAXIS1"), md.get("NAXIS2"), md.get("EXTNAME")]).to.deep.equal(["IMAGE", -32, full.width, full.height, "IMAGE"]);
      const userCards = md.cards.filter((c) => full.metadata.has(c.keyword)).map((c) => [c.keyword, c.value]);
      expect(userCards).to.deep.equal(full.metadata.cards.map((c) => [c.keyword, c.value]));
      expect(md.get("FILTER")).to.equal("r");
      const raw = (await readThrough(mapper, storage, "raw", RAW)) as Exposure;
      const rawMd = (await readThrough(mapper, storage, "raw_md", RAW)) as Header;
      expect(rawMd.toObject()).to.deep.include(raw.metadata.toObject());
      expect([rawMd.get("SIMPLE"), rawMd.get("NAXIS1"), rawMd.get("NAXIS2")]).to.deep.equal([true, 64, 48]);
      const src = (await readThrough(mapper, storage, "src", SRC)) as Catalog;
      const srcMd = (await readThrough(mapper, storage, "src_md", SRC)) as Header;
      expect(srcMd.toObject()).to.deep.include(src.metadata.toObject());
      expect([srcMd.get("XTENSION"), srcMd.get("NAXIS2"), srcMd.get("TTYPE2"), srcMd.get("SRCVERS")]).to.deep.equal(["BINTABLE", 3, "flux", 2]);
    });

    it("_sub equals the same region of the full read, in the parent frame by default and locally on request", async () => {
      const full = (await readThrough(mapper, storage, "calexp", CALEXP)) as Exposure;
      const bbox = makeBox2I(X0 + 200, Y0 + 300, 32, 24);
      const sub = (await readThrough(mapper, storage, "calexp_sub", { ...CALEXP, bbox })) as Exposure;
      expect(sub).to.be.instanceOf(Exposure);
      expect([sub.width, sub.height, sub.image.x0, sub.image.y0, sub.mask.x0, sub.variance.y0]).to.deep.equal([32, 24, X0 + 200, Y0 + 300, X0 + 200, Y0 + 300]);
      for (let y = 0; y < 24; y++) {
        for (let x = 0; x < 32; x++) {
          const [fx, fy] = [200 + x, 300 + y];
          expect([sub.image.get(x, y), sub.mask.get(x, y), sub.variance.get(x, y)]).to.deep.equal([full.image.get(fx, fy), full.mask.get(fx, fy), full.variance.get(fx, fy)]);
        }
      }
      expect(sub.metadata.toObject()).to.deep.equal(full.metadata.toObject());
      const local = (await readThrough(mapper, storage, "calexp_sub", { ...CALEXP, bbox: makeBox2I(200, 300, 32, 24), imageOrigin: "LOCAL" })) as Exposure;
      expect(Array.from(local.image.data)).to.deep.equal(Array.from(sub.image.data));
      expect([local.image.x0, local.image.y0]).to.deep.equal([X0 + 200, Y0 + 300]);
      const rawSub = (await readThrough(mapper, storage, "raw_sub", { ...RAW, bbox: makeBox2I(10, 5, 4, 3) })) as Exposure;
      const raw = (await readThrough(mapper, storage, "raw", RAW)) as Exposure;
      expect(Array.from(rawSub.image.data)).to.deep.equal([5, 6, 7].flatMap((y) => [10, 11, 12, 13].map((x) => raw.image.get(x, y))));
    });

    it("_sub outside the image is a DataIdError naming bbox", async () => {
      // in the parent frame, (0, 0) is below and left of an image that starts at (100, 50)
      const error = await rejected(readThrough(mapper, storage, "calexp_sub", { ...CALEXP, bbox: makeBox2I(0, 0, 8, 8) }));
      expect(error).to.be.instanceOf(DataIdError).with.property("key", "bbox");
      expect(error.message).to.include("parent frame");
    });

    it("_sub reads a small fraction of the bytes of a full read (counted at the storage and by the kernel)", async () => {
      const { storage: counted, counts } = countingStorage(storage);
      const size = (await storage.stat((await mapper.map("calexp", CALEXP)).locations[0]!)).size;
      const before = await processReadBytes();
      await readThrough(mapper, counted, "calexp_sub", { ...CALEXP, bbox: makeBox2I(X0 + 500, Y0 + 400, 32, 24) });
      const middle = await processReadBytes();
      await readThrough(mapper, counted, "calexp", CALEXP);
      const after = await processReadBytes();
      // the sub-image went through ranged reads only: headers plus 3 planes × 24 rows × 32 pixels
      expect(counts.localFiles).to.equal(1); // the full read's
      expect(counts.rangedBytes).to.be.greaterThan(3 * 24 * 32 * 4 - 1);
      expect(counts.rangedBytes).to.be.lessThan(size / 50);
      if (before !== undefined && middle !== undefined && after !== undefined) {
        // the kernel's count includes everything the process read meanwhile: a generous factor
        expect(middle - before).to.be.lessThan((after - middle) / 10);
        expect(after - middle).to.be.greaterThan(size * 0.9);
      }
    });

    it("_bbox is the image's box in the parent frame, from headers only", async () => {
      const { storage: counted, counts } = countingStorage(storage);
      expect(await readThrough(mapper, counted, "calexp_bbox", CALEXP)).to.deep.equal({ x0: X0, y0: Y0, width: WIDTH, height: HEIGHT });
      expect(await readThrough(mapper, counted, "raw_bbox", RAW)).to.deep.equal({ x0: 0, y0: 0, width: 64, height: 48 });
      expect(counts.localFiles).to.equal(0);
      expect(counts.rangedBytes).to.be.lessThan(10 * 2880 * 2);
    });

    it("_wcs, _visitInfo and _filter come from the header cards", async () => {
      const wcs = (await readThrough(mapper, storage, "calexp_wcs", CALEXP)) as Wcs;
      expect(wcs).to.deep.equal({
        ctype: ["RA---TAN", "DEC--TAN"], crpix: [512.5, 384.5], crval: [150.1, 2.2], cd: [[-5e-5, 0], [0, 5e-5]], radesys: "ICRS", equinox: 2000,
      });
      expect(await readThrough(mapper, storage, "raw_wcs", RAW)).to.equal(null);
      expect(await readThrough(mapper, storage, "calexp_visitInfo", CALEXP)).to.deep.equal({
        exposureTime: 30, darkTime: 31.5, date: "2026-03-01T03:00:00.000", timeSystem: "TAI", mjd: 61100.125, airmass: 1.2,
      });
      expect(await readThrough(mapper, storage, "raw_visitInfo", RAW)).to.deep.equal({ exposureTime: 15, date: "2026-03-01T03:00:00.000" });
      expect(await readThrough(mapper, storage, "calexp_filter", CALEXP)).to.equal("r"); // the card wins over the data id's "g"
      expect(await readThrough(mapper, storage, "raw_filter", RAW)).to.equal("g"); // no card: the data id's
    });

    it("_len and _schema describe a catalog from its table header", async () => {
      const { storage: counted, counts } = countingStorage(storage);
      expect(await readThrough(mapper, counted, "src_len", SRC)).to.equal(3);
      const schema = (await readThrough(mapper, counted, "src_schema", SRC)) as CatalogSchema;
      expect(schema.columns.map((c) => [c.name, c.type, c.repeat, c.unit])).to.deep.equal([
        ["id", "int32", 1, undefined],
        ["flux", "float64", 1, "count"],
      ]);
      expect(counts.localFiles).to.equal(0);
    });

    it("a header view of a missing file is not found, as a get of the base would be", async () => {
      const error = await rejected(readThrough(mapper, storage, "calexp_bbox", { ...CALEXP, visit: 99 }));
      expect(error.constructor.name).to.equal("DatasetNotFoundError");
    });
  });
});

describe("wcs from CDELT/PC and CROTA2 cards", () => {
  it("builds the CD matrix the FITS way", async () => {
    const { wcsFromHeaders } = await import("../../src/image/wcs.js");
    const pc = wcsFromHeaders([Header.fromObject({ CTYPE1: "RA---TAN", CTYPE2: "DEC--TAN", CRVAL1: 1, CRVAL2: 2, CDELT1: -2, CDELT2: 3, PC1_2: 0.5 })])!;
    expect(pc.cd).to.deep.equal([[-2, -1], [0, 3]]);
    const rot = wcsFromHeaders([Header.fromObject({ CTYPE1: "RA---TAN", CRVAL1: 1, CDELT1: 1, CDELT2: 1, CROTA2: 90 })])!;
    expect(rot.cd.flat().map((v) => Math.round(v * 1e12) / 1e12)).to.deep.equal([0, -1, 1, 0]);
    expect(wcsFromHeaders([new Header()])).to.equal(undefined);
  });
});

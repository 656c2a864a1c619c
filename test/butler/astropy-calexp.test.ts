/**
 * A calexp written by the Butler is an ordinary FITS file: astropy opens it and sees the same
 * pixels and header values; and a file astropy wrote is read by the Butler.
 */
import { expect } from "chai";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Butler, Exposure, Header, MaskedImage, type PixelArray } from "../../src/testing/index.js";
import { runPython, runPythonJson } from "../support/astropy.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

describe("calexps and astropy", () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-astropy-"));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("astropy opens a calexp the Butler wrote and sees the same pixels and header values", async () => {
    const butler = await Butler.create({ inputs: INPUT, outputs: join(work, "out") });
    const mi = MaskedImage.create(5, 3);
    mi.image.data.set([1.5, -2, 3.25, NaN, Infinity, 0, 7, 8, 9, 10, 11, 12, 13, 14, -0.5]);
    mi.variance.data.fill(0.25);
    mi.mask.data[4] = mi.mask.bitMask("SAT", "CR");
    const header = Header.fromObject({ OBJECT: "M31 field", EXPTIME: 30.5, VISIT: 1, BIG: 2n ** 60n, FLAG: true });
    try {
      await butler.put(new Exposure(mi, header), "calexp", { visit: 1, ccd: 0 });
      const path = fileURLToPath(await butler.getUri("calexp", { visit: 1, ccd: 0 }, { write: true }));
      const seen = await runPythonJson<{
        names: string[];
        image: Array<number | string>;
        mask: number[];
        variance: number[];
        header: Record<string, unknown>;
        maskPlanes: Record<string, number>;
      }>(
        `
import json, sys, math
from astropy.io import fits
with fits.open(sys.argv[1]) as f:
    h = f[0].header
    num = lambda v: repr(float(v)) if (math.isnan(v) or math.isinf(v)) else float(v)
    print(json.dumps({
        "names": [hdu.name for hdu in f],
        "image": [num(v) for v in f["IMAGE"].data.ravel()],
        "mask": [int(v) for v in f["MASK"].data.ravel()],
        "variance": [float(v) for v in f["VARIANCE"].data.ravel()],
        "header": {k: (str(h[k]) if k == "BIG" else h[k]) for k in ["OBJECT", "EXPTIME", "VISIT", "BIG", "FLAG"]},
        "maskPlanes": {k[3:]: f["MASK"].header[k] for k in f["MASK"].header if k.startswith("MP_")},
    }))
`,
        [path],
      );
      expect(seen.names).to.deep.equal(["PRIMARY", "IMAGE", "MASK", "VARIANCE"]);
      expect(seen.image).to.deep.equal([1.5, -2, 3.25, "nan", "inf", 0, 7, 8, 9, 10, 11, 12, 13, 14, -0.5]);
      expect(seen.mask[4]).to.equal((1 << 1) | (1 << 3));
      expect(seen.variance.every((v) => v === 0.25)).to.equal(true);
      expect(seen.header).to.deep.equal({ OBJECT: "M31 field", EXPTIME: 30.5, VISIT: 1, BIG: String(2n ** 60n), FLAG: true });
      expect(seen.maskPlanes.SAT).to.equal(1);
      expect(seen.maskPlanes.CR).to.equal(3);
    } finally {
      await butler.close();
    }
  });

  it("the Butler reads a calexp astropy wrote", async () => {
    const repo = join(work, "astropy-repo");
    await cp(INPUT, repo, { recursive: true });
    await runPython(
      `
import sys, numpy as np
from astropy.io import fits
img = np.arange(12, dtype=np.float32).reshape(3, 4) * 0.5
hdus = [fits.PrimaryHDU(header=fits.Header([("FILTER", "g"), ("EXPTIME", 15.0)])),
        fits.ImageHDU(img, name="IMAGE"),
        fits.ImageHDU(np.full((3, 4), 4, dtype=np.int32), name="MASK"),
        fits.ImageHDU(np.ones((3, 4), dtype=np.float32), name="VARIANCE")]
import os
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
fits.HDUList(hdus).writeto(sys.argv[1])
`,
      [join(repo, "calexp", "v1_fg_c00.fits")],
    );
    const butler = await Butler.create({ inputs: repo });
    try {
      const exp = await butler.get<Exposure<PixelArray>>("calexp", { visit: 1, ccd: 0 });
      expect([...exp.image.data]).to.deep.equal(Array.from({ length: 12 }, (_, i) => i * 0.5));
      expect([...exp.mask.data].every((v) => v === 4)).to.equal(true);
      expect(exp.metadata.get("FILTER")).to.equal("g");
      expect(exp.metadata.get("EXPTIME")).to.equal(15);
    } finally {
      await butler.close();
    }
  });
});

/**
 * The display intervals against astropy's, computed by astropy in the same run: ZScaleInterval()
 * (the issue asks for 1e-3 relative; these agree to 1e-6), MinMaxInterval() and
 * PercentileInterval(p), on the sample raw frames, calexps made from them, synthetic images that
 * reach every branch (NaN, ±Inf, fewer than 5 pixels, constant, ties, every pixel type) and a
 * 4096² image, each read both from its FITS file (streamed) and from memory.
 */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Image, imageLimits, zscaleLimits, type Limits, type RenderSource } from "../../src/testing/index.js";
import { openFits, type FitsFile } from "../../src/fits/index.js";
import { runPython } from "../support/astropy.js";
import { astropyLimits, closeTo, makeCalexps, rawFrames, type AstropyLimits } from "./render-fixtures.js";

const TOLERANCE = 1e-6;
const PERCENTILES = [99.5, 90, 50, 100, 1];

/** Our three intervals of one source. */
async function ours(source: RenderSource, percentiles: number[]): Promise<{ zscale: Limits; minmax: Limits; percentile: Record<string, Limits> }> {
  const percentile: Record<string, Limits> = {};
  for (const p of percentiles) percentile[String(p)] = await imageLimits(source, { stretch: "percentile", percentile: p });
  return { zscale: await imageLimits(source, { stretch: "zscale" }), minmax: await imageLimits(source, { stretch: "minmax" }), percentile };
}

function expectLimits(got: Limits, want: [number, number] | null, what: string): void {
  if (want === null) {
    expect(Number.isNaN(got.min) && Number.isNaN(got.max), `${what}: NaN limits`).to.equal(true);
    return;
  }
  const width = want[1] - want[0];
  expect(closeTo(got.min, want[0], TOLERANCE, width), `${what} min ${got.min} vs astropy ${want[0]}`).to.equal(true);
  expect(closeTo(got.max, want[1], TOLERANCE, width), `${what} max ${got.max} vs astropy ${want[1]}`).to.equal(true);
}

async function compareFile(path: string, want: AstropyLimits, alsoInMemory = true, percentiles = PERCENTILES): Promise<void> {
  const file: FitsFile = await openFits(path);
  try {
    const sources: Array<[string, RenderSource]> = [[`${path} (streamed)`, file]];
    if (alsoInMemory) {
      const hdu = file.hdus.find((h) => h.extname === "IMAGE") ?? file.hdus.find((h) => h.dataSize > 0)!;
      const { data, shape } = await hdu.readImage();
      sources.push([`${path} (in memory)`, new Image(shape[shape.length - 1]!, data.length / shape[shape.length - 1]!, data)]);
    }
    for (const [what, source] of sources) {
      const got = await ours(source, percentiles);
      expectLimits(got.zscale, want.zscale, `${what} zscale`);
      expectLimits(got.minmax, want.minmax, `${what} minmax`);
      for (const p of percentiles) expectLimits(got.percentile[String(p)]!, want.percentile[String(p)] ?? null, `${what} percentile ${p}`);
    }
  } finally {
    await file.close();
  }
}

describe("render intervals against astropy", function () {
  this.timeout(120000);
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-intervals-"));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("match astropy on every raw frame of the sample repository", async () => {
    const paths = rawFrames();
    expect(paths).to.have.length(12);
    const want = await astropyLimits(paths, PERCENTILES);
    for (const [i, path] of paths.entries()) await compareFile(path, want[i]!);
  });

  it("match astropy on calexps made from them (IMAGE HDU of the Butler's files)", async () => {
    const paths = await makeCalexps(join(work, "rerun"));
    const want = await astropyLimits(paths, PERCENTILES);
    for (const [i, path] of paths.entries()) await compareFile(path, want[i]!);
  });

  it("match astropy on synthetic images reaching every branch, of every pixel type", async () => {
    const dir = join(work, "synthetic");
    const names = (
      await runPython(
        `
import sys, os
import numpy as np
from astropy.io import fits
d = sys.argv[1]; os.makedirs(d)
rng = np.random.default_rng(7)
def sky(shape, dtype=np.float32):
    a = rng.normal(100, 5, shape)
    for _ in range(12):
        y, x = rng.integers(0, shape[0]), rng.integers(0, shape[1])
        a[max(0, y-2):y+3, max(0, x-2):x+3] += rng.uniform(50, 5000)
    return a.astype(dtype)
files = {}
a = sky((300, 200)); a[10:40, :] = np.nan; a[rng.random(a.shape) < 0.01] = np.nan; a[5, 5] = np.inf; a[6, 6] = -np.inf
files["nan-and-inf"] = a
files["tiny"] = np.array([[3.0, np.nan], [1.0, 2.0]], np.float32)
files["seven"] = np.array([[5, 1, 9, 2, 8, 3, 7]], np.float64)
files["constant"] = np.full((50, 50), 42.5, np.float32)
files["all-nan"] = np.full((20, 30), np.nan, np.float32)
files["int32-outliers"] = np.where(rng.random((120, 90)) < 0.02, 2**30, rng.integers(-50, 50, (120, 90))).astype(np.int32)
files["ties"] = rng.integers(0, 4, (64, 64)).astype(np.int16)
files["float64-wide"] = (10.0 ** rng.uniform(-10, 10, (77, 55))) * rng.choice([-1, 1], (77, 55))
files["int64"] = rng.integers(-2**40, 2**40, (40, 50)).astype(np.int64)
files["cube-of-one"] = sky((1, 40, 30))
for name, data in files.items():
    fits.PrimaryHDU(data).writeto(os.path.join(d, name + ".fits"))
u = fits.PrimaryHDU(rng.integers(0, 65535, (60, 70)).astype(np.uint16))  # BZERO 32768
u.writeto(os.path.join(d, "uint16.fits")); files["uint16"] = None
print("\\n".join(files))
`,
        [dir],
      )
    )
      .trim()
      .split("\n");
    const paths = names.map((name) => join(dir, `${name}.fits`));
    const want = await astropyLimits(paths, PERCENTILES);
    for (const [i, path] of paths.entries()) await compareFile(path, want[i]!);
  });

  it("match astropy on a 4096² image with NaN patches, read in strips", async () => {
    const path = join(work, "big.fits");
    await runPython(
      `
import sys
import numpy as np
from astropy.io import fits
rng = np.random.default_rng(11)
a = rng.normal(1000, 10, (4096, 4096)).astype(np.float32)
yy, xx = rng.integers(0, 4096, 300), rng.integers(0, 4096, 300)
for y, x in zip(yy, xx): a[max(0, y-3):y+4, max(0, x-3):x+4] = rng.uniform(1e3, 6e4)
a[1000:1100, 2000:3000] = np.nan
a[rng.random(a.shape) < 1e-4] = np.nan
fits.PrimaryHDU(a).writeto(sys.argv[1])
`,
      [path],
    );
    // two percentiles only: each costs astropy a sort of 16 M values
    const [want] = await astropyLimits([path], [99.5, 90]);
    await compareFile(path, want!, false, [99.5, 90]);
  });

  it("zscaleLimits of an array in memory matches the streamed interval", async () => {
    const values = Float32Array.from({ length: 5000 }, (_, i) => (i % 97) + (i % 13 === 0 ? NaN : 0) + Math.sin(i));
    const image = new Image(100, 50, values);
    expect(zscaleLimits(values)).to.deep.equal(await imageLimits(image, { stretch: "zscale" }));
  });
});

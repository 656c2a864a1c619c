/**
 * Previews end to end: PNGs decoded by pngjs and by PIL / matplotlib's imread show the pixels
 * astropy's normalisation gives (every interval × every stretch), block averages equal astropy's
 * block_reduce, NaN is transparent, row 0 is at the bottom, sizes and regions are honoured, and a
 * tile-compressed HDU renders as its plain twin.
 */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pngjs from "pngjs";
import { Header, Image, renderPng, writePng, type IntervalName, type StretchName } from "../../src/testing/index.js";
import { openFits, writeFits } from "../../src/fits/index.js";
import { runPython, runPythonJson } from "../support/astropy.js";

/** Decodes a PNG with pngjs: channels per pixel and the pixels. */
function decode(png: Uint8Array): { width: number; height: number; channels: number; data: Uint8Array } {
  const image = pngjs.PNG.sync.read(Buffer.from(png), { skipRescale: true });
  // pngjs expands to RGBA; the colour type says what the file holds
  const channels = (image as unknown as { colorType: number }).colorType === 4 ? 2 : 4;
  return { width: image.width, height: image.height, channels, data: new Uint8Array(image.data) };
}

describe("renderPng", function () {
  this.timeout(60000);
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-render-"));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("shows astropy's normalised pixels for every interval and stretch, as PIL and matplotlib decode them", async () => {
    const fitsPath = join(work, "sky.fits");
    await runPython(
      `
import sys
import numpy as np
from astropy.io import fits
rng = np.random.default_rng(3)
a = rng.normal(200, 8, (70, 90)).astype(np.float32)
a[30:35, 40:46] += 3000
a[rng.random(a.shape) < 0.02] = np.nan
fits.PrimaryHDU(a).writeto(sys.argv[1])
`,
      [fitsPath],
    );
    const intervals: IntervalName[] = ["zscale", "minmax", "percentile"];
    const mappings: StretchName[] = ["linear", "asinh", "log", "sqrt"];
    const cases: Array<{ stretch: IntervalName; mapping: StretchName; png: string }> = [];
    const file = await openFits(fitsPath);
    try {
      for (const stretch of intervals) {
        for (const mapping of mappings) {
          const png = join(work, `sky-${stretch}-${mapping}.png`);
          const info = await writePng(file, png, { stretch, mapping, percentile: 98 });
          expect([info.width, info.height]).to.deep.equal([90, 70]);
          cases.push({ stretch, mapping, png });
        }
      }
    } finally {
      await file.close();
    }
    const verdicts = await runPythonJson<Array<{ mode: string; alpha: boolean; imread: boolean; worst: number; off: number }>>(
      `
import json, sys
import numpy as np
from PIL import Image
import matplotlib.image
from astropy.io import fits
from astropy.visualization import ImageNormalize, ZScaleInterval, MinMaxInterval, PercentileInterval
from astropy.visualization import LinearStretch, AsinhStretch, LogStretch, SqrtStretch
data = fits.getdata(sys.argv[1])
intervals = {"zscale": ZScaleInterval(), "minmax": MinMaxInterval(), "percentile": PercentileInterval(98)}
stretches = {"linear": LinearStretch(), "asinh": AsinhStretch(), "log": LogStretch(), "sqrt": SqrtStretch()}
out = []
for case in json.loads(sys.argv[2]):
    norm = ImageNormalize(data, interval=intervals[case["stretch"]], stretch=stretches[case["mapping"]], clip=True)
    s = norm(data).filled(0)
    grey = np.minimum(np.floor(s * 256), 255)[::-1]     # origin lower: row 0 at the bottom
    finite = np.isfinite(data)[::-1]
    img = Image.open(case["png"])
    px = np.asarray(img).astype(int)
    viewed = np.round(matplotlib.image.imread(case["png"]) * 255).astype(int)   # grey + alpha arrive as RGBA
    diff = np.abs(px[..., 0] - grey)[finite]
    out.append({
        "mode": img.mode,
        "alpha": bool(np.array_equal(px[..., 1], np.where(finite, 255, 0))),
        "imread": bool(all(np.array_equal(viewed[..., c], px[..., 0]) for c in range(3)) and np.array_equal(viewed[..., 3], px[..., 1])),
        "worst": int(diff.max()),
        "off": int((diff > 0).sum()),
    })
print(json.dumps(out))
`,
      [fitsPath, JSON.stringify(cases)],
    );
    for (const [i, v] of verdicts.entries()) {
      const what = `${cases[i]!.stretch} + ${cases[i]!.mapping}`;
      expect(v.mode, what).to.equal("LA");
      expect(v.alpha, `${what}: NaN transparent, the rest opaque`).to.equal(true);
      expect(v.imread, `${what}: matplotlib's imread sees what PIL sees`).to.equal(true);
      // float32 (astropy) vs float64 (ours) limits may tip a value across a level boundary
      expect(v.worst, `${what}: grey levels`).to.be.at.most(1);
      expect(v.off, `${what}: pixels one level off`).to.be.at.most(6);
    }
  });

  it("block-averages to the requested size as astropy's block_reduce (finite mean) and the documented edges", async () => {
    const fitsPath = join(work, "blocks.fits");
    const result = await runPythonJson<{ even: number[]; odd: number[] }>(
      `
import json, sys
import numpy as np
from astropy.io import fits
from astropy.nddata import block_reduce
rng = np.random.default_rng(5)
a = rng.uniform(0, 255, (301, 403)).astype(np.float32)
a[rng.random(a.shape) < 0.3] = np.nan
a[0:8, 0:8] = np.nan                       # whole blocks without a finite pixel
fits.PrimaryHDU(a).writeto(sys.argv[1])
even = block_reduce(a[:300, :400], 4, func=np.nanmean)   # 100 x 75 from 400 x 300
def edges(n_in, n_out):
    return [int(np.floor(o * n_in / n_out)) for o in range(n_out + 1)]
ry, rx = edges(301, 75), edges(403, 100)
odd = np.array([[np.nanmean(a[ry[j]:ry[j+1], rx[i]:rx[i+1]]) if np.isfinite(a[ry[j]:ry[j+1], rx[i]:rx[i+1]]).any() else np.nan
                 for i in range(100)] for j in range(75)])
grey = lambda m: [(-1 if not np.isfinite(v) else int(min(np.floor(v / 256 * 256), 255))) for v in m.ravel()]
print(json.dumps({"even": grey(even), "odd": grey(odd)}))
`,
      [fitsPath],
    );
    const file = await openFits(fitsPath);
    try {
      const limits = { min: 0, max: 256 };
      const even = decode((await renderPng(file, { width: 100, height: 75, limits, origin: "upper", region: { rows: [0, 300], cols: [0, 400] } })).png);
      const odd = decode((await renderPng(file, { width: 100, limits, origin: "upper" })).png);
      expect([odd.width, odd.height]).to.deep.equal([100, 75]);
      for (const [name, got, want] of [["even", even, result.even], ["odd", odd, result.odd]] as const) {
        let off = 0;
        for (let i = 0; i < want.length; i++) {
          const [grey, alpha] = [got.data[4 * i]!, got.data[4 * i + 3]!];
          if (want[i] === -1) expect(alpha, `${name} pixel ${i} transparent`).to.equal(0);
          else {
            expect(alpha).to.equal(255);
            expect(Math.abs(grey - want[i]!), `${name} pixel ${i}`).to.be.at.most(1);
            if (grey !== want[i]) off++;
          }
        }
        expect(off, `${name}: levels off by float32 means`).to.be.at.most(want.length / 1000);
      }
    } finally {
      await file.close();
    }
  });

  it("repeats pixels when enlarging, puts row 0 at the bottom, makes NaN transparent", async () => {
    const image = new Image(3, 2, Float32Array.from([10, 20, 30, 40, NaN, 60]));
    const limits = { min: 0, max: 256 };
    const up = decode((await renderPng(image, { width: 9, height: 4, limits })).png);
    expect([up.width, up.height, up.channels]).to.deep.equal([9, 4, 2]);
    const at = (d: typeof up, x: number, y: number) => [d.data[4 * (y * d.width + x)]!, d.data[4 * (y * d.width + x) + 3]!];
    // PNG rows 0-1 show image row 1 (the top), rows 2-3 image row 0
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 9; x++) {
        const value = image.get(Math.floor(x / 3), y < 2 ? 1 : 0);
        expect(at(up, x, y), `(${x}, ${y})`).to.deep.equal(Number.isNaN(value) ? [0, 0] : [value, 255]);
      }
    }
    const upper = decode((await renderPng(image, { limits, origin: "upper" })).png);
    expect([at(upper, 0, 0), at(upper, 1, 1)]).to.deep.equal([[10, 255], [0, 0]]);
  });

  it("renders a region, and a tile-compressed HDU exactly as its uncompressed twin", async () => {
    const width = 300;
    const height = 200;
    // integers: the codec writes tile-compressed integer images (RICE_1), losslessly
    const data = Int32Array.from({ length: width * height }, (_, i) => ((i * 7919) % 1000) + 10 * (i % width));
    const path = join(work, "twins.fits");
    await writeFits(path, [
      { kind: "image", header: Header.fromObject({ EXTNAME: "PLAIN" }), data, shape: [height, width] },
      { kind: "image", header: Header.fromObject({ EXTNAME: "PACKED" }), data, shape: [height, width], compression: { type: "RICE_1", tile: [16, width] } },
    ]);
    const file = await openFits(path);
    try {
      for (const options of [{ width: 128 }, { region: { rows: [20, 170] as [number, number], cols: [100, 250] as [number, number] }, width: 50 }]) {
        const plain = await renderPng(file.hdu("PLAIN"), options);
        const packed = await renderPng(file.hdu("PACKED"), options);
        expect(Buffer.from(packed.png).equals(Buffer.from(plain.png))).to.equal(true);
        expect(packed.limits).to.deep.equal(plain.limits);
      }
      // the region's pixels are those of the in-memory image's region
      const region = { rows: [20, 170] as [number, number], cols: [100, 250] as [number, number] };
      const inMemory = await renderPng(new Image(width, height, data), { region, width: 50 });
      const fromFile = await renderPng(file.hdu("PLAIN"), { region, width: 50 });
      expect(Buffer.from(inMemory.png).equals(Buffer.from(fromFile.png))).to.equal(true);
      expect([inMemory.width, inMemory.height]).to.deep.equal([50, 50]);
    } finally {
      await file.close();
    }
  });
});

/**
 * `npm run bench:render`: a 4096×4096 float32 FITS image → a 1024 px PNG preview, skybutler's
 * `writePng` against astropy + matplotlib writing the same PNG, measured in the same run on the
 * same machine (the target: at most 1.5× astropy + matplotlib's time).
 *
 * The peer does what an astronomer would write: `fits.getdata`, `ZScaleInterval().get_limits` (or
 * `PercentileInterval`) over the full image, `block_reduce(data, 4, np.mean)` (`np.nanmean` when
 * the image has NaNs), `ImageNormalize(..., clip=True)` and
 * `plt.imsave(cmap="gray", origin="lower")`. Both sides read the file from the warm page cache and write a PNG; each times
 * itself in its own process (start-up and imports excluded), median of BENCH_RUNS runs after a
 * warm-up. The two PNGs are decoded and compared, so both sides did the same work. Peak RSS: each
 * process's maximum resident set after its runs, and its growth over the RSS before them.
 *
 * Rows: (1) zscale + linear on an image without NaN (the target); (2) the same with 1 % NaN pixels
 * (zscale then reads the file twice); (3) percentile 99.5 + asinh (three reads).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { openFits } from "../src/fits/index.js";
import { writePng, type IntervalName, type StretchName } from "../src/testing/index.js";
import { PYTHON } from "../test/support/astropy.js";
import { benchWorkDir, medianSeconds, printRow } from "./timing.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZE = 4096;
const WIDTH = 1024;
const work = await benchWorkDir("render-bench");
const file = (name: string): string => join(work, name);
const env = { ...process.env, PYTHONWARNINGS: "ignore", MPLBACKEND: "Agg" };

const MAKE_IMAGES = String.raw`
import sys
import numpy as np
from astropy.io import fits
rng = np.random.default_rng(2024)
n = int(sys.argv[3])
y, x = np.mgrid[0:n, 0:n]
sky = (1000 + 0.002 * x + 0.001 * y + rng.normal(0, 12, (n, n))).astype(np.float32)
for cy, cx, flux in zip(rng.integers(0, n, 3000), rng.integers(0, n, 3000), rng.lognormal(7, 1.5, 3000)):
    sl = np.s_[max(0, cy - 6):cy + 7, max(0, cx - 6):cx + 7]
    sky[sl] += (flux * np.exp(-((y[sl] - cy) ** 2 + (x[sl] - cx) ** 2) / 4.5)).astype(np.float32)
np.minimum(sky, 65535, out=sky)
fits.PrimaryHDU(sky).writeto(sys.argv[1])
sky[rng.random(sky.shape) < 0.01] = np.nan
fits.PrimaryHDU(sky).writeto(sys.argv[2])
`;

const PEER = String.raw`
import sys, json, time
import numpy as np
from astropy.io import fits
from astropy.nddata import block_reduce
from astropy.visualization import ImageNormalize, ZScaleInterval, PercentileInterval, LinearStretch, AsinhStretch
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
src, out, interval, stretch, factor, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
def once():
    t = time.perf_counter()
    data = fits.getdata(src)
    limits = (ZScaleInterval() if interval == "zscale" else PercentileInterval(99.5)).get_limits(data)
    small = block_reduce(data, factor, func=np.nanmean if np.isnan(data).any() else np.mean)
    norm = ImageNormalize(vmin=limits[0], vmax=limits[1], stretch=LinearStretch() if stretch == "linear" else AsinhStretch(), clip=True)
    plt.imsave(out, norm(small), cmap="gray", vmin=0, vmax=1, origin="lower")
    return time.perf_counter() - t
def status(field):
    # VmHWM rather than getrusage's maxrss, which Linux carries over from the parent (this bench)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field + ":"))
before = status("VmRSS")
once()
times = sorted(once() for _ in range(runs))
print(json.dumps({"seconds": times[runs // 2], "peak": status("VmHWM"), "before": before}))
`;

/** Grey levels of both PNGs (ours grey + alpha, matplotlib's RGBA): share of pixels within one level, and transparency agreement. */
const COMPARE = String.raw`
import sys, json
import numpy as np
from PIL import Image
ours = np.asarray(Image.open(sys.argv[1])).astype(int)
theirs = np.asarray(Image.open(sys.argv[2])).astype(int)
opaque = theirs[..., 3] == 255
diff = np.abs(ours[..., 0] - theirs[..., 0])[opaque & (ours[..., 1] == 255)]
print(json.dumps({"withinOne": float((diff <= 1).mean()), "sameAlpha": bool(np.array_equal(ours[..., 1] == 255, opaque))}))
`;

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

try {
  console.log(`skybutler render bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, median of ${RUNS} runs`);
  console.log(`${SIZE}×${SIZE} float32 FITS → ${WIDTH} px PNG, block-averaged ×${SIZE / WIDTH}\n`);
  execFileSync(PYTHON, ["-c", MAKE_IMAGES, file("sky.fits"), file("sky-nan.fits"), String(SIZE)], { env });

  const rssBefore = process.memoryUsage().rss;
  const cases: Array<{ what: string; image: string; stretch: IntervalName; mapping: StretchName }> = [
    { what: "zscale + linear", image: "sky.fits", stretch: "zscale", mapping: "linear" },
    { what: "zscale + linear, 1 % NaN", image: "sky-nan.fits", stretch: "zscale", mapping: "linear" },
    { what: "percentile 99.5 + asinh", image: "sky.fits", stretch: "percentile", mapping: "asinh" },
  ];
  const footnotes: string[] = [];
  for (const { what, image, stretch, mapping } of cases) {
    const ours = file(`ours-${stretch}-${image}.png`);
    const theirs = file(`theirs-${stretch}-${image}.png`);
    const oursT = await medianSeconds(RUNS, async () => {
      const fits = await openFits(file(image));
      try {
        await writePng(fits, ours, { width: WIDTH, stretch, mapping, percentile: 99.5 });
      } finally {
        await fits.close();
      }
    });
    const peer = JSON.parse(
      execFileSync(PYTHON, ["-c", PEER, file(image), theirs, stretch, mapping, String(SIZE / WIDTH), String(RUNS)], { env }).toString(),
    ) as { seconds: number; peak: number; before: number };
    printRow(`writePng ${what}`, oursT, "astropy + matplotlib", peer.seconds);
    const same = JSON.parse(execFileSync(PYTHON, ["-c", COMPARE, ours, theirs], { env }).toString()) as { withinOne: number; sameAlpha: boolean };
    footnotes.push(
      `${what}: ${(same.withinOne * 100).toFixed(2)} % of pixels within one grey level of matplotlib's, transparency ${same.sameAlpha ? "identical" : "DIFFERENT"}; ` +
        `astropy + matplotlib peak RSS ${mib(peer.peak)} (+${mib(peer.peak - peer.before)})`,
    );
  }
  const peak = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))![1]) * 1024;
  console.log(`\n${footnotes.join("\n")}`);
  console.log(`skybutler peak RSS ${mib(peak)} (+${mib(peak - rssBefore)} over the ${mib(rssBefore)} before the renders)`);
} finally {
  await rm(work, { recursive: true, force: true });
}

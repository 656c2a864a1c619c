/**
 * Inputs for the render tests: the sample repository's raw frames, calexps made from them by the
 * demo's processing (written by a Butler into a temp repository), and astropy's view of any of them.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Butler, type Exposure, type PixelArray } from "../../src/testing/index.js";
import { isr } from "../../scripts/demo-processing.js";
import { runPythonJson } from "../support/astropy.js";

export const SAMPLE_REPO = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

/** Paths of the sample repository's raw frames. */
export function rawFrames(): string[] {
  const dir = join(SAMPLE_REPO, "raw");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".fits"))
    .sort()
    .map((name) => join(dir, name));
}

/** Writes a calexp for every raw frame into `root` (a new output repository); returns their paths. */
export async function makeCalexps(root: string): Promise<string[]> {
  const butler = await Butler.create({ inputs: SAMPLE_REPO, outputs: { root, mode: "rw" } });
  try {
    const ids = (await butler.queryMetadata("raw", ["visit", "ccd"])) as Array<[number, number]>;
    const paths: string[] = [];
    for (const [visit, ccd] of ids) {
      const raw = await butler.get<Exposure<PixelArray>>("raw", { visit, ccd });
      await butler.put(isr(raw), "calexp", { visit, ccd });
      paths.push(fileURLToPath(await butler.getUri("calexp", { visit, ccd }, { write: true })));
    }
    return paths;
  } finally {
    await butler.close();
  }
}

/** astropy's limits, one object per file; NaN limits arrive as null. */
export interface AstropyLimits {
  zscale: [number, number] | null;
  minmax: [number, number] | null;
  percentile: Record<string, [number, number]>;
}

/**
 * astropy's ZScaleInterval(), MinMaxInterval() and PercentileInterval(p) limits of the science
 * pixels of each file (the IMAGE HDU, else the first HDU with data), computed now by astropy.
 */
export function astropyLimits(paths: string[], percentiles: number[] = [99.5]): Promise<AstropyLimits[]> {
  return runPythonJson<AstropyLimits[]>(
    `
import json, sys, math
import numpy as np
from astropy.io import fits
from astropy.visualization import ZScaleInterval, MinMaxInterval, PercentileInterval
percentiles = json.loads(sys.argv[1])
def pair(limits):
    a, b = (float(v) for v in limits)
    return None if math.isnan(a) or math.isnan(b) else [a, b]
out = []
for path in sys.argv[2:]:
    with fits.open(path) as f:
        hdu = f["IMAGE"] if "IMAGE" in f else next(h for h in f if h.data is not None)
        data = hdu.data
        finite = np.isfinite(data).any()
        out.append({
            "zscale": pair(ZScaleInterval().get_limits(data)) if finite else None,
            "minmax": pair(MinMaxInterval().get_limits(data)) if finite else None,
            "percentile": {str(p): pair(PercentileInterval(p).get_limits(data)) for p in percentiles} if finite else {},
        })
print(json.dumps(out))
`,
    [JSON.stringify(percentiles), ...paths],
  );
}

/** |a − b| within `relative` of |b| (or of the interval's width, for a limit near zero). */
export function closeTo(a: number, b: number, relative: number, width: number): boolean {
  return Math.abs(a - b) <= relative * Math.max(Math.abs(b), Math.abs(width));
}

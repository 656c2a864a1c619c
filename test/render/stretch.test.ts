/**
 * The mappings against astropy's stretches, computed by astropy in the same run:
 * `ImageNormalize(vmin, vmax, stretch, clip=True)` with LinearStretch(), AsinhStretch() (a=0.1),
 * LogStretch() (a=1000) and SqrtStretch(), on values inside, at and outside the interval.
 */
import { expect } from "chai";
import { normalizer, greyLevel } from "../../src/render/stretch.js";
import type { StretchName } from "../../src/testing/index.js";
import { runPythonJson } from "../support/astropy.js";

const STRETCHES: StretchName[] = ["linear", "asinh", "log", "sqrt"];

describe("render stretches against astropy", () => {
  it("normalise and stretch values as astropy's ImageNormalize does", async () => {
    const values = [-50, -1e-9, 0, 1e-6, 0.3, 1, 2.5, 7, 9.999, 10, 10.5, 1e6];
    const cases = [
      { min: 0, max: 10 },
      { min: -3.25, max: 1234.5 },
      { min: 1e-3, max: 2e-3 },
    ];
    const want = await runPythonJson<Record<string, number[][]>>(
      `
import json, sys
import numpy as np
from astropy.visualization import ImageNormalize, LinearStretch, AsinhStretch, LogStretch, SqrtStretch
values = np.array(json.loads(sys.argv[1]), dtype=float)
cases = json.loads(sys.argv[2])
stretches = {"linear": LinearStretch(), "asinh": AsinhStretch(), "log": LogStretch(), "sqrt": SqrtStretch()}
print(json.dumps({name: [ImageNormalize(vmin=c["min"], vmax=c["max"], stretch=s, clip=True)(values).filled(np.nan).tolist() for c in cases] for name, s in stretches.items()}))
`,
      [JSON.stringify(values), JSON.stringify(cases)],
    );
    for (const stretch of STRETCHES) {
      for (const [c, limits] of cases.entries()) {
        const f = normalizer(limits, stretch);
        for (const [i, v] of values.entries()) {
          const expected = want[stretch]![c]![i]!;
          expect(Math.abs(f(v) - expected), `${stretch} of ${v} in [${limits.min}, ${limits.max}]: ${f(v)} vs ${expected}`).to.be.lessThan(1e-12);
        }
      }
    }
  });

  it("a zero-width interval only subtracts the minimum, as astropy's BaseInterval", async () => {
    const [want] = await runPythonJson<number[][]>(
      `
import json
import numpy as np
from astropy.visualization import ManualInterval
print(json.dumps([ManualInterval(2.0, 2.0)(np.array([1.0, 2.0, 2.25, 3.0])).tolist()]))
`,
    );
    const f = normalizer({ min: 2, max: 2 }, "linear");
    expect([1, 2, 2.25, 3].map(f)).to.deep.equal(want);
  });

  it("grey levels are matplotlib's 256-entry colormap indices", async () => {
    const stretched = [0, 0.5 / 256, 1 / 256, 0.25, 0.5, 0.999, 255.5 / 256, 1];
    const [want] = await runPythonJson<number[][]>(
      `
import json, sys
import numpy as np
import matplotlib
cmap = matplotlib.colormaps["gray"]
x = np.array(json.loads(sys.argv[1]))
# the index Colormap.__call__ computes before its table lookup
xa = x * cmap.N
xa[xa == cmap.N] = cmap.N - 1
print(json.dumps([np.clip(xa, -1, cmap.N).astype(int).tolist()]))
`,
      [JSON.stringify(stretched)],
    );
    expect(stretched.map(greyLevel)).to.deep.equal(want);
  });
});

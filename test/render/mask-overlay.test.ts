/**
 * Mask overlays: the legend names the planes of the MASK HDU's `MP_*` cards (as astropy reads
 * them), flagged pixels carry their planes' colours blended over the grey, OR-ed over a block, and
 * asking for a plane or a mask that is not there is a UsageError.
 */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pngjs from "pngjs";
import { Butler, Exposure, Header, Image, MaskedImage, UsageError, renderPng } from "../../src/testing/index.js";
import { openFits } from "../../src/fits/index.js";
import { MASK_OPACITY } from "../../src/render/raster.js";
import { runPythonJson } from "../support/astropy.js";
import { SAMPLE_REPO, makeCalexps, rawFrames } from "./render-fixtures.js";

function pixels(png: Uint8Array): { colorType: number; data: Buffer; width: number } {
  const image = pngjs.PNG.sync.read(Buffer.from(png));
  return { colorType: (image as unknown as { colorType: number }).colorType, data: image.data, width: image.width };
}

describe("mask overlays", function () {
  this.timeout(60000);
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-mask-"));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("names the MASK HDU's planes as astropy reads its MP_* cards, and colours flagged pixels", async () => {
    // A calexp with an extra plane, written by the Butler: the planes live only in the file's header.
    const mi = MaskedImage.create(40, 30);
    for (let i = 0; i < mi.image.data.length; i++) mi.image.data[i] = 100 + (i % 40);
    const streak = mi.mask.addPlane("STREAK");
    mi.mask.set(5, 7, mi.mask.bitMask("SAT"));
    mi.mask.set(6, 7, (1 << streak) | mi.mask.bitMask("CR"));
    const butler = await Butler.create({ inputs: SAMPLE_REPO, outputs: { root: join(work, "rerun"), mode: "rw" } });
    let path: string;
    try {
      await butler.put(new Exposure(mi, Header.fromObject({ FILTER: "g" })), "calexp", { visit: 1, ccd: 0 });
      path = fileURLToPath(await butler.getUri("calexp", { visit: 1, ccd: 0 }, { write: true }));
    } finally {
      await butler.close();
    }
    const planes = await runPythonJson<Record<string, number>>(
      `
import json, sys
from astropy.io import fits
h = fits.getheader(sys.argv[1], "MASK")
print(json.dumps({k[3:]: h[k] for k in h if k.startswith("MP_")}))
`,
      [path],
    );
    const file = await openFits(path);
    try {
      const options = { origin: "upper" as const, limits: { min: 0, max: 256 } };
      const plain = pixels((await renderPng(file, options)).png);
      const { png, legend } = await renderPng(file, { ...options, mask: true });
      const masked = pixels(png);
      expect(plain.colorType).to.equal(4);
      expect(masked.colorType).to.equal(6);
      const byBit = Object.entries(planes).sort((a, b) => a[1] - b[1]);
      expect(legend.map((e) => [e.plane, e.bit])).to.deep.equal(byBit);
      expect(legend.filter((e) => e.present).map((e) => e.plane)).to.deep.equal(["SAT", "CR", "STREAK"]);
      for (const e of legend) expect(e.hex).to.equal(`#${e.color.map((c) => c.toString(16).padStart(2, "0")).join("")}`);

      const at = (img: typeof plain, x: number, y: number) => [...img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 4)];
      const blend = (grey: number, ...planeNames: string[]) => {
        let rgb = [grey, grey, grey];
        for (const e of legend.filter((l) => planeNames.includes(l.plane))) rgb = rgb.map((c, k) => c + (e.color[k]! - c) * MASK_OPACITY);
        return [...rgb.map(Math.round), 255];
      };
      const grey = (x: number, y: number) => at(plain, x, y)[0]!;
      expect(at(masked, 5, 7)).to.deep.equal(blend(grey(5, 7), "SAT"));
      expect(at(masked, 6, 7)).to.deep.equal(blend(grey(6, 7), "CR", "STREAK"));
      expect(at(masked, 7, 7)).to.deep.equal([grey(7, 7), grey(7, 7), grey(7, 7), 255]);

      // only the planes asked for are drawn and listed
      const onlySat = await renderPng(file, { ...options, mask: ["SAT"] });
      expect(onlySat.legend.map((e) => e.plane)).to.deep.equal(["SAT"]);
      expect(at(pixels(onlySat.png), 6, 7)).to.deep.equal([grey(6, 7), grey(6, 7), grey(6, 7), 255]);

      // a flagged pixel colours its whole block when shrinking
      const small = await renderPng(file, { ...options, width: 10, mask: ["SAT"] });
      // 40×30 → 10×8: column 5 is in block [4, 8), row 7 in rows [7, 11)
      const blockColour = at(pixels(small.png), 1, 2);
      expect(blockColour[1]).to.be.greaterThan(blockColour[0]!);
      expect(small.legend[0]!.present).to.equal(true);

      const error = await renderPng(file, { mask: ["SAT", "NOPE"] }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(UsageError);
      expect((error as Error).message).to.match(/NOPE.*STREAK/s);
    } finally {
      await file.close();
    }
  });

  it("overlays the SAT pixels of the sample calexps in an in-memory Exposure", async () => {
    const [path] = await makeCalexps(join(work, "calexps"));
    const butler = await Butler.create({ inputs: join(work, "calexps") });
    try {
      const calexp = await butler.get<Exposure>("calexp", { visit: 1, ccd: 0 });
      const sat = calexp.mask.bitMask("SAT");
      const flagged = [...calexp.mask.data].filter((v) => (v & sat) !== 0).length;
      expect(flagged, `the sample frame ${path} has saturated pixels`).to.be.greaterThan(0);
      const { png, legend } = await renderPng(calexp, { mask: true, origin: "upper" });
      expect(legend.find((e) => e.plane === "SAT")!.present).to.equal(true);
      const { data } = pixels(png);
      let green = 0;
      for (let i = 0; i < calexp.width * calexp.height; i++) if (data[4 * i + 1]! > data[4 * i]! && data[4 * i + 1]! > data[4 * i + 2]!) green++;
      expect(green).to.equal(flagged);
    } finally {
      await butler.close();
    }
  });

  it("refuses a mask overlay on a source without a mask", async () => {
    const image = new Image(4, 4, Float32Array);
    const raw = await openFits(rawFrames()[0]!);
    try {
      for (const source of [image, raw, raw.hdus[0]!]) {
        const error = await renderPng(source, { mask: true }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(UsageError);
        expect((error as Error).message).to.match(/no mask/);
      }
    } finally {
      await raw.close();
    }
    // an empty list of planes is no overlay at all
    const { legend, png } = await renderPng(image, { mask: [] });
    expect(legend).to.deep.equal([]);
    expect(pixels(png).colorType).to.equal(4);
  });
});

/**
 * The storlets shipped with skybutler, run in the sandbox on files astropy wrote, each output
 * compared with what astropy computes on the same file: fitscutout (pixels, WCS, LTV; plain and
 * tile-compressed), fitsheader (JSON and text), thumbnail (zscale limits, NaN transparent, the
 * same PNG as a local render), fitscolumns (CSV and FITS against a masked astropy Table).
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { openFits } from "../../src/fits/index.js";
import { renderPng } from "../../src/render/index.js";
import { localStorletCode } from "../../src/storlets/local-code.js";
import { fileInput, type StorletInput } from "../../src/storlets/storlet-input.js";
import { runPythonJson } from "../support/astropy.js";
import { runToEnd } from "./storlet-fixtures.js";

const MAKE = `
import sys, numpy as np
from astropy.io import fits
d = sys.argv[1]
rng = np.random.default_rng(7)
img = rng.normal(1000, 30, (300, 400)).astype('>f4')
img[100:140, 50:90] = np.nan
img[200:210, 300:310] += 5000
h = fits.Header()
for k, v in dict(CTYPE1='RA---TAN', CTYPE2='DEC--TAN', CRPIX1=200.5, CRPIX2=150.5, CRVAL1=150.1, CRVAL2=2.2,
                 CD1_1=-5.5e-5, CD1_2=1e-6, CD2_1=1.2e-6, CD2_2=5.5e-5, LTV1=-7.0, LTV2=-9.0,
                 CRVAL1A=7, CRVAL2A=9, CRPIX1A=1, CRPIX2A=1, CTYPE1A='LINEAR', CTYPE2A='LINEAR', OBJECT='field 1', EXPTIME=30.5).items():
    h[k] = v
h['HISTORY'] = 'made by the storlet tests'
fits.HDUList([fits.PrimaryHDU(header=fits.Header({'TELESCOP': 'test'})), fits.ImageHDU(img, h, name='IMAGE'),
              fits.ImageHDU(rng.integers(0, 4, (300, 400)).astype('>i4'), name='MASK')]).writeto(d + '/img.fits')
fits.HDUList([fits.PrimaryHDU(), fits.CompImageHDU(rng.integers(0, 60000, (256, 300)).astype('>i4'), h, compression_type='RICE_1', name='IMAGE')]).writeto(d + '/comp.fits')
n = 20000
cols = fits.ColDefs([
  fits.Column(name='id', format='K', array=np.arange(n)),
  fits.Column(name='ra', format='D', unit='deg', array=rng.uniform(0, 360, n)),
  fits.Column(name='mag', format='E', unit='mag', array=rng.uniform(15, 25, n).astype('f4')),
  fits.Column(name='flag', format='J', array=rng.integers(0, 3, n)),
  fits.Column(name='name', format='8A', array=np.array(['s%d' % i for i in range(n)])),
])
fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(cols, name='SOURCES')]).writeto(d + '/cat.fits')
print('{}')
`;

describe("storlets shipped with skybutler, against astropy", function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "skybutler-builtin-"));
    await runPythonJson(MAKE, [dir]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (name: string, file: string, params: Record<string, string>, input?: StorletInput) => runToEnd(await localStorletCode(name), [input ?? (await fileInput(join(dir, file)))], params);

  for (const [file, label] of [["img.fits", "an uncompressed image"], ["comp.fits", "a RICE-compressed image"]] as const) {
    it(`fitscutout of ${label}: astropy's pixels, WCS.slice's CRPIX, LTV and LSST's CRVALnA moved`, async () => {
      let opens = 0;
      const base = await fileInput(join(dir, file));
      const counted: StorletInput = { ...base, open: (offset) => ((opens += 1), base.open(offset)) };
      const ran = await run("fitscutout", file, { hdu: "IMAGE", x0: "33", y0: "120", width: "64", height: "48" }, counted);
      expect(ran.metadata).to.deep.include({ "Content-Type": "application/fits" });
      const out = join(dir, `cut-${file}`);
      writeFileSync(out, ran.body);
      const check = await runPythonJson<Record<string, any>>(
        `
import sys, json, numpy as np
from astropy.io import fits
from astropy.wcs import WCS
src, out = sys.argv[1], sys.argv[2]
s = fits.open(src); o = fits.open(out)
o.verify('exception')
sh = s['IMAGE'].header; oh = o[0].header
want = s['IMAGE'].data[120:168, 33:97]
w = WCS(sh).slice((slice(120, 168), slice(33, 97)))
print(json.dumps(dict(
  equal=bool(np.array_equal(o[0].data, want, equal_nan=True)), shape=list(o[0].data.shape), dtype=str(o[0].data.dtype),
  crpix=list(WCS(oh).wcs.crpix), want_crpix=list(w.wcs.crpix),
  world=[float(x) for x in WCS(oh).all_pix2world([[0, 0], [63, 47]], 0).ravel()],
  want_world=[float(x) for x in WCS(sh).all_pix2world([[33, 120], [96, 167]], 0).ravel()],
  ltv=[oh['LTV1'], oh['LTV2']], crvala=[oh['CRVAL1A'], oh['CRVAL2A']], object=oh['OBJECT'], exptime=oh['EXPTIME'])))
`,
        [join(dir, file), out],
      );
      expect(check.equal).to.equal(true);
      expect(check.shape).to.deep.equal([48, 64]);
      expect(check.crpix).to.deep.equal(check.want_crpix);
      check.world.forEach((v: number, i: number) => expect(v).to.be.closeTo(check.want_world[i], 1e-9));
      expect(check.ltv).to.deep.equal([-40, -129]);
      expect(check.crvala).to.deep.equal([40, 129]);
      expect(check).to.include({ object: "field 1", exptime: 30.5 });
      // reads only what it needs: the headers (one seek past each HDU's data), then one ranged read of the rows
      if (file === "img.fits") {
        expect(opens).to.be.at.most(6);
        expect(ran.log).to.match(/read (\d+) of \d+ bytes/);
        const read = Number(/read (\d+) of/.exec(ran.log)![1]);
        expect(read).to.be.below(100_000);
      }
    });
  }

  it("fitscutout refuses a box outside the image (the run fails at start)", async () => {
    const err = await runToEnd(await localStorletCode("fitscutout"), [await fileInput(join(dir, "img.fits"))], { x0: "390", y0: "0", width: "20", height: "5" }).catch((e: Error & { log: string }) => e);
    expect((err as { log: string }).log).to.contain("is not inside HDU 1 (400×300)");
  });

  it("fitsheader: every card of every HDU as astropy reads them (JSON), and astropy's card images (text)", async () => {
    const json = JSON.parse((await run("fitsheader", "img.fits", {})).body.toString()) as Array<{ index: number; extname: string | null; cards: Array<{ keyword: string; value: unknown }> }>;
    const want = await runPythonJson<Array<Array<[string, unknown]>>>(
      `
import sys, json
from astropy.io import fits
print(json.dumps([[(c.keyword, c.value if not isinstance(c.value, fits.card.Undefined) else None) for c in h.header.cards] for h in fits.open(sys.argv[1])], default=str))
`,
      [join(dir, "img.fits")],
    );
    expect(json.map((h) => h.extname)).to.deep.equal([null, "IMAGE", "MASK"]);
    json.forEach((h, i) => {
      expect(h.cards.map((c) => c.keyword)).to.deep.equal(want[i]!.map(([k]) => k));
      h.cards.forEach((c, j) => {
        const [, v] = want[i]![j]!;
        if (typeof v === "number") expect(c.value as number).to.be.closeTo(v, Math.abs(v) * 1e-12);
        else expect(c.value).to.deep.equal(v);
      });
    });
    const text = (await run("fitsheader", "img.fits", { hdu: "IMAGE", format: "text" })).body.toString();
    const repr = await runPythonJson<string[]>(`import sys, json\nfrom astropy.io import fits\nprint(json.dumps([l.rstrip() for l in repr(fits.getheader(sys.argv[1], 'IMAGE')).split('\\n')]))`, [join(dir, "img.fits")]);
    expect(text.trimEnd().split("\n")).to.deep.equal(repr);
  });

  it("thumbnail: astropy's ZScaleInterval limits, NaN transparent, the same PNG as a local render", async () => {
    const ran = await run("thumbnail", "img.fits", { width: "100" });
    expect(ran.metadata).to.include({ "Content-Type": "image/png", Size: "100x75" });
    const limits = await runPythonJson<[number, number]>(
      `import sys, json\nfrom astropy.io import fits\nfrom astropy.visualization import ZScaleInterval\nimport numpy as np\nd = fits.getdata(sys.argv[1], 'IMAGE')\nprint(json.dumps([float(x) for x in ZScaleInterval().get_limits(d[np.isfinite(d)])]))`,
      [join(dir, "img.fits")],
    );
    expect(Number(ran.metadata["Interval-Min"])).to.be.closeTo(limits[0], Math.abs(limits[0]) * 1e-4);
    expect(Number(ran.metadata["Interval-Max"])).to.be.closeTo(limits[1], Math.abs(limits[1]) * 1e-4);
    const png = PNG.sync.read(ran.body);
    expect([png.width, png.height]).to.deep.equal([100, 75]);
    // the NaN block (rows 100–139, columns 50–89 → output 12.5–22.5 × 25–35) is transparent; the rest opaque
    const alpha = (x: number, y: number) => png.data[(y * png.width + x) * 4 + 3];
    expect(alpha(17, 45)).to.equal(0);
    expect(alpha(5, 5)).to.equal(255);
    const file = await openFits(join(dir, "img.fits"));
    try {
      const local = await renderPng(file.hdu("IMAGE"), { width: 100, stretch: "zscale" });
      expect(Buffer.from(local.png).equals(ran.body)).to.equal(true);
    } finally {
      await file.close();
    }
  });

  it("fitscolumns: the rows astropy's mask keeps, as CSV and as FITS", async () => {
    const params = { columns: "id,mag,name", where: "mag<16.5;flag=1" };
    const want = await runPythonJson<{ id: number[]; mag: number[]; name: string[] }>(
      `
import sys, json
from astropy.table import Table
t = Table.read(sys.argv[1], hdu='SOURCES')
m = t[(t['mag'] < 16.5) & (t['flag'] == 1)]
print(json.dumps(dict(id=[int(x) for x in m['id']], mag=[float(x) for x in m['mag']], name=[str(x) for x in m['name']])))
`,
      [join(dir, "cat.fits")],
    );
    expect(want.id.length).to.be.greaterThan(100);
    const csv = (await run("fitscolumns", "cat.fits", params)).body.toString().trimEnd().split("\n");
    expect(csv[0]).to.equal("id,mag,name");
    const rows = csv.slice(1).map((l) => l.split(","));
    expect(rows.map((r) => Number(r[0]))).to.deep.equal(want.id);
    expect(rows.map((r) => Math.fround(Number(r[1])))).to.deep.equal(want.mag);
    expect(rows.map((r) => r[2])).to.deep.equal(want.name);
    const fitsOut = await run("fitscolumns", "cat.fits", { ...params, format: "fits" });
    writeFileSync(join(dir, "cols.fits"), fitsOut.body);
    const read = await runPythonJson<{ id: number[]; mag: number[]; name: string[]; unit: string; dtype: string[] }>(
      `
import sys, json
from astropy.io import fits
from astropy.table import Table
fits.open(sys.argv[1]).verify('exception')
t = Table.read(sys.argv[1])
# FITS pads strings with blanks (skybutler) or NULs (astropy); neither is part of the value
print(json.dumps(dict(id=[int(x) for x in t['id']], mag=[float(x) for x in t['mag']], name=[str(x).rstrip() for x in t['name']], unit=str(t['mag'].unit), dtype=[str(t[c].dtype) for c in t.colnames])))
`,
      [join(dir, "cols.fits")],
    );
    expect(read.id).to.deep.equal(want.id);
    expect(read.mag).to.deep.equal(want.mag);
    expect(read.name).to.deep.equal(want.name);
    expect(read.unit).to.equal("mag");
    expect(read.dtype.slice(0, 2)).to.deep.equal([">i8", ">f4"]);
  });
});

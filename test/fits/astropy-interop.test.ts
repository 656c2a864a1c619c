/**
 * Interop with astropy (Debian python3-astropy 5.2.1), an independent FITS implementation: astropy
 * reads what we write, we read what astropy writes, with equal values. Values are compared as
 * little-endian bytes (hex) so NaN payloads, -0 and 64-bit integers are compared exactly. Each
 * direction is one Python run, batching all its checks (Python + astropy start-up is ~0.5 s).
 */
import { expect } from "chai";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openFits, writeFits, type HduInput } from "../../src/fits/index.js";
import { Header } from "../../src/image/header.js";
import type { PixelArray } from "../../src/image/image.js";
import { runPythonJson } from "../support/astropy.js";
import { makeTempDir } from "./fits-bytes.js";

const hex = (a: PixelArray): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");

/** One sample array per pixel type, named by its numpy dtype. */
function typedSamples(): Record<string, PixelArray> {
  const f32 = new Float32Array([0, -0, NaN, Infinity, -Infinity, 1.5e-45]);
  const f64 = new Float64Array([0, -0, NaN, Infinity, -Infinity, 5e-324]);
  return {
    uint8: new Uint8Array([0, 1, 127, 128, 255, 9]),
    int8: new Int8Array([-128, -1, 0, 1, 127, 9]),
    int16: new Int16Array([-32768, -1, 0, 1, 32767, 9]),
    uint16: new Uint16Array([0, 1, 32767, 32768, 65535, 9]),
    int32: new Int32Array([-(2 ** 31), -1, 0, 1, 2 ** 31 - 1, 9]),
    uint32: new Uint32Array([0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 9]),
    int64: new BigInt64Array([-(2n ** 63n), -1n, 0n, 1n, 2n ** 63n - 1n, 2n ** 53n + 1n]),
    uint64: new BigUint64Array([0n, 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 53n + 1n]),
    float32: f32,
    float64: f64,
  };
}

const ASTROPY_READS = String.raw`
import sys, json, numpy as np
from astropy.io import fits
d = sys.argv[1]
m = json.load(open(d + '/manifest.json'))
def le(a): return np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tobytes().hex()
out = {'images': {}, 'mef': [], 'table': {}}
for name in m['images']:
    with fits.open(f'{d}/{name}.fits') as h:
        data = h[0].data
        out['images'][name] = {'dtype': data.dtype.name, 'shape': list(data.shape), 'hex': le(data)}
with fits.open(d + '/mef.fits') as h:
    for hdu in h:
        data = hdu.data
        out['mef'].append({'name': hdu.name, 'ver': hdu.ver, 'kind': type(hdu).__name__,
                           'dtype': None if data is None else data.dtype.name,
                           'shape': None if data is None else list(data.shape),
                           'hex': None if data is None else le(data)})
    p = h[0].header
    out['header'] = {'LONGSTR': p['LONGSTR'], 'LONGSTR_comment': p.comments['LONGSTR'], 'SLASHES': p['SLASHES'],
                     'HIER': p['ESO DET CHIP NAME'], 'BIGINT': str(p['BIGINT']), 'PI': repr(p['PI']),
                     'CPX': repr(p['CPX']), 'FLAG': p['FLAG'], 'UNDEF': repr(p['UNDEF']),
                     'HISTORY': list(p['HISTORY'])}
with fits.open(d + '/table.fits') as h:
    t = h[1]
    out['table']['nrows'] = len(t.data)
    for c in t.columns:
        v = t.data[c.name]
        if v.dtype.kind in 'SU':
            out['table'][c.name] = {'format': c.format, 'unit': c.unit, 'values': [str(x) for x in v]}
        elif v.dtype.kind == 'b':
            out['table'][c.name] = {'format': c.format, 'unit': c.unit, 'values': [bool(x) for x in v.ravel()]}
        else:
            out['table'][c.name] = {'format': c.format, 'unit': c.unit, 'dtype': v.dtype.name, 'shape': list(v.shape), 'hex': le(v)}
print(json.dumps(out))
`;

const ASTROPY_WRITES = String.raw`
import sys, json, numpy as np
from astropy.io import fits
d = sys.argv[1]
def le(a): return np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tobytes().hex()
out = {'images': {}}
for dt in ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64']:
    if dt.startswith('float'):
        a = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1.5, 0.1, -2.75], dtype=dt)
    else:
        i = np.iinfo(dt)
        a = np.array([i.min, i.max, 0, 1, i.max // 3, 42, 7, 8], dtype=dt)
    a = a.reshape(2, 4)
    fits.PrimaryHDU(a).writeto(f'{d}/ap-{dt}.fits')
    with fits.open(f'{d}/ap-{dt}.fits') as h:
        out['images'][dt] = {'bitpix': h[0].header['BITPIX'], 'bzero': str(h[0].header.get('BZERO')), 'hex': le(h[0].data)}
# Scaled integers with BLANK, written as stored values.
for name, raw, dt in [('scaled16', [[-32768, 0, 2], [100, -2, 7]], '>i2'), ('scaled32', [[-1, 0, 3], [2**30, -5, 7]], '>i4')]:
    hdu = fits.PrimaryHDU(np.array(raw, dtype=dt), do_not_scale_image_data=True)
    hdu.header['BSCALE'] = 0.5
    hdu.header['BZERO'] = 10.0
    hdu.header['BLANK'] = raw[0][0]
    hdu.writeto(f'{d}/{name}.fits')
    phys = fits.getdata(f'{d}/{name}.fits')
    out['images'][name] = {'dtype': phys.dtype.name, 'hex': le(phys)}
cols = [
    fits.Column(name='K', format='K', array=np.array([-2**63, 2**53 + 1, 2**63 - 1], dtype='int64')),
    fits.Column(name='E', format='E', unit='mag', array=np.array([1.5, np.nan, -np.inf], dtype='float32')),
    fits.Column(name='D', format='D', unit='deg', array=np.array([0.1, -0.0, 1e300])),
    fits.Column(name='A', format='8A', array=np.array(['ab', '', '  lead'])),
    fits.Column(name='L', format='L', array=np.array([True, False, True])),
    fits.Column(name='J', format='J', unit='count', array=np.array([-2**31, 0, 2**31 - 1], dtype='int32')),
    fits.Column(name='I', format='I', array=np.array([-32768, 5, 32767], dtype='int16')),
    fits.Column(name='U', format='I', bzero=32768, array=np.array([0, 32768, 65535], dtype='uint16')),
    fits.Column(name='V', format='3E', array=np.arange(9, dtype='float32').reshape(3, 3)),
]
fits.BinTableHDU.from_columns(cols, name='CAT').writeto(f'{d}/ap-table.fits')
with fits.open(f'{d}/ap-table.fits') as h:
    t = h['CAT'].data
    out['table'] = {c: le(t[c]) for c in ['K', 'E', 'D', 'J', 'I', 'U', 'V']}
    out['table']['A'] = [str(x) for x in t['A']]
    out['table']['L'] = [bool(x) for x in t['L']]
h = fits.Header()
h['LONGSTR'] = ('It' + "'" + 's a long string: ' + 'abcdefghij' * 12 + ' end', 'and a comment that is long as well ' * 2)
h['HIERARCH ESO DET CHIP NAME'] = 'CCD-42'
h['HIERARCH ESO TEL AIRM START'] = 1.234
h['BIGINT'] = 2**62 + 1
h['SMALL'] = 1.2345e-300
h['CPX'] = complex(1.5, -2)
h['HISTORY'] = 'made by astropy'
fits.PrimaryHDU(header=h).writeto(f'{d}/ap-header.fits')
with fits.open(f'{d}/ap-header.fits') as f:
    out['header'] = {'LONGSTR': f[0].header['LONGSTR'], 'LONGSTR_comment': f[0].header.comments['LONGSTR']}
print(json.dumps(out))
`;

describe("FITS interop with astropy", function () {
  this.timeout(30000);
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  before(async () => (temp = await makeTempDir()));
  after(async () => temp.remove());

  it("astropy reads what we write: every pixel type, a 3-HDU exposure layout, every column type, long strings and HIERARCH", async () => {
    const samples = typedSamples();
    for (const [name, data] of Object.entries(samples)) await writeFits(join(temp.dir, `${name}.fits`), [{ kind: "image", data, shape: [2, 3] }]);

    const primary = new Header([
      // One quote only: astropy 5.2.1 unescapes '' twice in CONTINUE strings (it reads it''s as it's),
      // against the standard; our reading of such cards is checked in card.test.ts.
      { keyword: "LONGSTR", value: `it's ${"0123456789".repeat(12)} end`, comment: "a comment on a long string" },
      { keyword: "SLASHES", value: `a / b / c ${"z".repeat(80)}` },
      { keyword: "ESO DET CHIP NAME", value: "CCD-1" },
      { keyword: "BIGINT", value: 2n ** 62n + 1n },
      { keyword: "PI", value: Math.PI },
      { keyword: "CPX", value: { re: 1.5, im: -2 } },
      { keyword: "FLAG", value: true },
      { keyword: "UNDEF", value: null },
      { keyword: "HISTORY", value: "first" },
      { keyword: "HISTORY", value: "second" },
    ]);
    const image = Float32Array.from({ length: 12 }, (_, i) => i * 0.25 - 1);
    const mask = Int32Array.from({ length: 12 }, (_, i) => 1 << i);
    const variance = Float32Array.from({ length: 12 }, (_, i) => i + 0.5);
    const mef: HduInput[] = [
      { kind: "image", header: primary },
      { kind: "image", header: Header.fromObject({ EXTNAME: "IMAGE" }), data: image, shape: [3, 4] },
      { kind: "image", header: Header.fromObject({ EXTNAME: "MASK" }), data: mask, shape: [3, 4] },
      { kind: "image", header: Header.fromObject({ EXTNAME: "VARIANCE" }), data: variance, shape: [3, 4] },
    ];
    await writeFits(join(temp.dir, "mef.fits"), mef);

    const columns = {
      flag: [true, false, true],
      b: new Uint8Array([0, 128, 255]),
      sb: new Int8Array([-128, 0, 127]),
      i: new Int16Array([-32768, 0, 32767]),
      ui: new Uint16Array([0, 32768, 65535]),
      j: new Int32Array([-(2 ** 31), 7, 2 ** 31 - 1]),
      uj: new Uint32Array([0, 2 ** 31, 2 ** 32 - 1]),
      k: new BigInt64Array([-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n]),
      e: new Float32Array([1.5, NaN, -Infinity]),
      d: new Float64Array([0.1, -0, 1e300]),
      vec: Float64Array.from({ length: 6 }, (_, n) => n / 3),
      name: ["alpha", "", "  lead"],
    };
    await writeFits(join(temp.dir, "table.fits"), [
      { kind: "bintable", header: Header.fromObject({ EXTNAME: "CAT" }), columns, units: { e: "mag", d: "deg" }, repeats: { vec: 2 } },
    ]);

    await writeFile(join(temp.dir, "manifest.json"), JSON.stringify({ images: Object.keys(samples) }));
    const seen = await runPythonJson<Record<string, any>>(ASTROPY_READS, [temp.dir]);

    for (const [name, data] of Object.entries(samples)) {
      expect(seen.images[name], name).to.deep.equal({ dtype: name, shape: [2, 3], hex: hex(data) });
    }
    expect(seen.mef.map((h: any) => [h.name, h.kind, h.dtype, h.shape])).to.deep.equal([
      ["PRIMARY", "PrimaryHDU", null, null],
      ["IMAGE", "ImageHDU", "float32", [3, 4]],
      ["MASK", "ImageHDU", "int32", [3, 4]],
      ["VARIANCE", "ImageHDU", "float32", [3, 4]],
    ]);
    expect(seen.mef.slice(1).map((h: any) => h.hex)).to.deep.equal([hex(image), hex(mask), hex(variance)]);
    expect(seen.header).to.deep.equal({
      LONGSTR: primary.get("LONGSTR"),
      LONGSTR_comment: "a comment on a long string",
      SLASHES: primary.get("SLASHES"),
      HIER: "CCD-1",
      BIGINT: String(2n ** 62n + 1n),
      PI: String(Math.PI),
      CPX: "(1.5-2j)",
      FLAG: true,
      UNDEF: "None",
      HISTORY: ["first", "second"],
    });

    const t = seen.table;
    expect(t.nrows).to.equal(3);
    // astropy 5.2.1 does not map a B column with TZERO = -128 (FITS 4.0 Table 19's signed-byte
    // convention) to int8 as it does for images: it applies the offset and returns float64.
    const signed = Buffer.from(t.sb.hex, "hex");
    expect(t.sb.dtype).to.equal("float64");
    expect([0, 8, 16].map((at) => signed.readDoubleLE(at))).to.deep.equal(Array.from(columns.sb));
    const expectedDtypes: Record<string, string> = { b: "uint8", i: "int16", ui: "uint16", j: "int32", uj: "uint32", k: "int64", e: "float32", d: "float64", vec: "float64" };
    for (const [name, dtype] of Object.entries(expectedDtypes)) {
      expect({ dtype: t[name].dtype, hex: t[name].hex }, name).to.deep.equal({ dtype, hex: hex(columns[name as keyof typeof columns] as PixelArray) });
    }
    expect(t.vec.shape).to.deep.equal([3, 2]);
    expect(t.flag.values).to.deep.equal(columns.flag);
    expect(t.name.values).to.deep.equal(columns.name);
    expect([t.e.unit, t.d.unit]).to.deep.equal(["mag", "deg"]);
    expect(t.name.format).to.equal("6A");
  });

  it("we read what astropy writes: every BITPIX, scaled images with BLANK, a table, long strings and HIERARCH", async () => {
    const made = await runPythonJson<Record<string, any>>(ASTROPY_WRITES, [temp.dir]);
    const types: Record<string, [number, string]> = {
      uint8: [8, "Uint8Array"], int8: [8, "Int8Array"], int16: [16, "Int16Array"], uint16: [16, "Uint16Array"], int32: [32, "Int32Array"],
      uint32: [32, "Uint32Array"], int64: [64, "BigInt64Array"], uint64: [64, "BigUint64Array"], float32: [-32, "Float32Array"], float64: [-64, "Float64Array"],
    };
    for (const [dtype, [bitpix, type]] of Object.entries(types)) {
      const file = await openFits(join(temp.dir, `ap-${dtype}.fits`));
      const hdu = file.hdus[0]!;
      expect(hdu.header.get("BITPIX"), dtype).to.equal(made.images[dtype].bitpix);
      expect(hdu.header.get("BITPIX"), dtype).to.equal(bitpix);
      const { data, shape } = await hdu.readImage();
      expect(shape).to.deep.equal([2, 4]);
      expect(data.constructor.name, dtype).to.equal(type);
      expect(hex(data), dtype).to.equal(made.images[dtype].hex);
      await file.close();
    }
    for (const name of ["scaled16", "scaled32"]) {
      const file = await openFits(join(temp.dir, `${name}.fits`));
      const { data } = await file.hdus[0]!.readImage();
      expect(data.constructor.name.toLowerCase().replace("array", ""), name).to.equal(made.images[name].dtype);
      expect(hex(data), name).to.equal(made.images[name].hex);
      expect(Number.isNaN((data as Float32Array)[0])).to.equal(true);
      await file.close();
    }

    const file = await openFits(join(temp.dir, "ap-table.fits"));
    const table = await file.hdu("CAT").readTable();
    expect(table.nrows).to.equal(3);
    for (const name of ["K", "E", "D", "J", "I", "U", "V"]) {
      expect(hex(table.columns[name] as PixelArray), name).to.equal(made.table[name]);
    }
    expect(table.columns.U).to.be.instanceOf(Uint16Array);
    expect(table.columns.A).to.deep.equal(made.table.A);
    expect(table.columns.L).to.deep.equal(made.table.L);
    expect(table.units).to.deep.equal({ E: "mag", D: "deg", J: "count" });
    expect(table.repeats.V).to.equal(3);
    await file.close();

    const headerFile = await openFits(join(temp.dir, "ap-header.fits"));
    const header = headerFile.hdus[0]!.header;
    expect(header.get("LONGSTR")).to.equal(made.header.LONGSTR);
    // astropy splits the comment at spaces and joins the pieces with one: so do we.
    expect(header.card("LONGSTR")!.comment).to.equal(made.header.LONGSTR_comment);
    expect(header.get("ESO DET CHIP NAME")).to.equal("CCD-42");
    expect(header.get("ESO TEL AIRM START")).to.equal(1.234);
    expect(header.get("BIGINT")).to.equal(2n ** 62n + 1n);
    expect(header.get("SMALL")).to.equal(1.2345e-300);
    expect(header.get("CPX")).to.deep.equal({ re: 1.5, im: -2 });
    expect(header.get("HISTORY")).to.equal("made by astropy");
    await headerFile.close();

    // Every card astropy wrote is written back byte for byte; we only add EXTEND (always in our
    // primary HDUs) and LONGSTRN (announcing the CONTINUE cards), which astropy leaves out.
    const cardsOf = (bytes: Buffer): string[] => {
      const all = bytes.toString("latin1").match(/.{80}/g)!;
      return all.slice(0, all.findIndex((c) => c.startsWith("END     ")));
    };
    const original = cardsOf(await readFile(join(temp.dir, "ap-header.fits")));
    const again = join(temp.dir, "ap-header-copy.fits");
    await writeFits(again, [{ kind: "image", header }]);
    const rewritten = cardsOf(await readFile(again));
    expect(rewritten.filter((c) => !/^(EXTEND {2}|LONGSTRN)=/.test(c))).to.deep.equal(original);
    expect(rewritten).to.have.length(original.length + 2);
  });
});

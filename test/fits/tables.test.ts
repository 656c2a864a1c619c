/**
 * The table types beyond the first slice — bits (X), complex (C, M), variable-length arrays (P,
 * Q) with the heap, TDIM, ASCII tables — against astropy and CFITSIO in both directions, and
 * fitsverify on what we write.
 */
import { expect } from "chai";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openFits, writeFits } from "../../src/fits/index.js";
import type { PixelArray } from "../../src/image/image.js";
import { runPythonJson } from "../support/astropy.js";
import { cfitsioColumn, fitsverify } from "../support/cfitsio.js";
import { dataBlocks, headerBlocks, makeTempDir } from "./fits-bytes.js";

const hex = (a: PixelArray): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");
/** CFITSIO's dump of a variable-length column: per row an int64 count, then the values. */
function splitRows(dump: Buffer, size: number): string[] {
  const rows: string[] = [];
  for (let at = 0; at < dump.length; ) {
    const n = Number(dump.readBigInt64LE(at));
    rows.push(dump.subarray(at + 8, at + 8 + n * size).toString("hex"));
    at += 8 + n * size;
  }
  return rows;
}

const ASTROPY_WRITES = String.raw`
import sys, json, numpy as np
from astropy.io import fits
d = sys.argv[1]
bits = np.array([[1,0,1,1,0,0,0,1,1,0,1], [0]*10 + [1], [1]*11], dtype=bool)
cols = [
    fits.Column(name='BITS', format='11X', array=bits),
    fits.Column(name='C', format='2C', array=np.array([[1+2j, 3-4j], [0.5j, -1], [np.inf, 1e-3]], dtype='complex64')),
    fits.Column(name='M', format='M', array=np.array([1.5+0.25j, -0.0-1j, 1e300j], dtype='complex128')),
    fits.Column(name='VJ', format='PJ()', array=np.array([np.array([1, -2, 3], 'i4'), np.array([], 'i4'), np.array([2**31 - 1], 'i4')], dtype=object)),
    fits.Column(name='VD', format='QD()', array=np.array([np.array([0.1]), np.array([1.0, np.nan, -np.inf]), np.array([])], dtype=object)),
    fits.Column(name='VA', format='PA()', array=np.array(['abc', '', 'hello world'], dtype=object)),
    fits.Column(name='CUBE', format='12I', dim='(3,2,2)', array=np.arange(36, dtype='i2').reshape(3, 2, 2, 3)),
]
fits.BinTableHDU.from_columns(cols, name='T').writeto(d + '/ap-table.fits')
acols = [
    fits.Column(name='NAME', format='A8', array=np.array(['one', 'two', 'three'])),
    fits.Column(name='N', format='I6', array=np.array([1, -20, 300])),
    fits.Column(name='F', format='F10.3', array=np.array([1.5, -0.125, 1234.567])),
    fits.Column(name='E', format='E14.6', array=np.array([1.5e-10, -2.25e20, 3.0])),
    fits.Column(name='D', format='D22.14', array=np.array([0.1, 1e-300, -7.0])),
]
fits.TableHDU.from_columns(acols, name='ASC').writeto(d + '/ap-ascii.fits')
def le(a): return np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tobytes().hex()
with fits.open(d + '/ap-ascii.fits') as h:
    t = h['ASC'].data
    print(json.dumps({'F': le(t['F'].astype('f8')), 'E': le(t['E'].astype('f8')), 'D': le(t['D'].astype('f8'))}))
`;

describe("FITS tables: bits, complex, variable-length arrays, TDIM, ASCII", function () {
  this.timeout(30000);
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  before(async () => (temp = await makeTempDir()));
  after(async () => temp.remove());

  it("reads astropy's X, C, M, PJ, QD, PA and TDIM columns as CFITSIO does", async () => {
    const ascii = await runPythonJson<Record<string, string>>(ASTROPY_WRITES, [temp.dir]);
    const path = join(temp.dir, "ap-table.fits");
    const file = await openFits(path);
    const t = await file.hdu("T").readTable();
    const bitsDump = await cfitsioColumn(path, 1, "BITS", "bit");
    expect(t.columns.BITS).to.deep.equal(Array.from(bitsDump, (b) => b === 1));
    expect(t.repeats.BITS).to.equal(11);
    expect(t.columns.C).to.be.instanceOf(Float32Array);
    expect(hex(t.columns.C as Float32Array)).to.equal((await cfitsioColumn(path, 1, "C", "c64")).toString("hex"));
    expect(Array.from(t.columns.C as Float32Array).slice(0, 4)).to.deep.equal([1, 2, 3, -4]);
    expect(hex(t.columns.M as Float64Array)).to.equal((await cfitsioColumn(path, 1, "M", "c128")).toString("hex"));
    expect((t.columns.VJ as Int32Array[]).map((r) => hex(r as Int32Array))).to.deep.equal(splitRows(await cfitsioColumn(path, 1, "VJ", "i32"), 4));
    expect((t.columns.VD as Float64Array[]).map((r) => hex(r as Float64Array))).to.deep.equal(splitRows(await cfitsioColumn(path, 1, "VD", "f64!"), 8));
    expect((t.columns.VJ as Int32Array[])[0]).to.be.instanceOf(Int32Array);
    expect(t.columns.VA).to.deep.equal(["abc", "", "hello world"]);
    expect(t.tforms.VD).to.equal("QD(3)");
    // one place for every column, in table order; the variable-length ones are named
    expect(Object.keys(t.columns)).to.deep.equal(Object.keys(t.tforms));
    expect(t.variable).to.deep.equal(Object.keys(t.tforms).filter((n) => /^\d*[PQ]/.test(t.tforms[n]!)));
    expect(t.variable).to.include.members(["VJ", "VD", "VA"]);
    expect(t.dims.CUBE).to.deep.equal([2, 2, 3]);
    expect(Array.from(t.columns.CUBE as Int16Array)).to.deep.equal(Array.from({ length: 36 }, (_, i) => i));
    await file.close();

    const asc = join(temp.dir, "ap-ascii.fits");
    const af = await openFits(asc);
    expect(af.hdu("ASC").kind).to.equal("table");
    const a = await af.hdu("ASC").readTable();
    expect(a.columns.NAME).to.deep.equal(["one", "two", "three"]);
    expect(Array.from(a.columns.N as Int32Array)).to.deep.equal([1, -20, 300]);
    for (const name of ["F", "E", "D"]) {
      expect(hex(a.columns[name] as Float64Array), `${name} vs CFITSIO`).to.equal((await cfitsioColumn(asc, 1, name, "f64")).toString("hex"));
      expect(hex(a.columns[name] as Float64Array), `${name} vs astropy`).to.equal(ascii[name]);
    }
    await af.close();
  });

  it("reads ASCII-table fields as CFITSIO does: implied decimals, D exponents, blanks, TNULL, scaling", async () => {
    const rows = ["  1234 1.5D+02   7  ab", "  -5.5  2.5E-1 ***  c ", "       -3E+2     1    "];
    const primary = headerBlocks(["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 0", "EXTEND  = T"]);
    const table = headerBlocks([
      "XTENSION= 'TABLE   '", "BITPIX  = 8", "NAXIS   = 2", "NAXIS1  = 22", "NAXIS2  = 3", "PCOUNT  = 0", "GCOUNT  = 1", "TFIELDS = 4",
      "TTYPE1  = 'F'", "TBCOL1  = 1", "TFORM1  = 'F6.2'",
      "TTYPE2  = 'E'", "TBCOL2  = 8", "TFORM2  = 'E8.3'",
      "TTYPE3  = 'I'", "TBCOL3  = 16", "TFORM3  = 'I4'", "TNULL3  = '***'", "TSCAL3  = 0.5", "TZERO3  = 10",
      "TTYPE4  = 'S'", "TBCOL4  = 20", "TFORM4  = 'A3'",
    ]);
    const data = Buffer.from(rows.join(""), "latin1");
    const path = join(temp.dir, "hand-ascii.fits");
    await writeFile(path, Buffer.concat([primary, table, dataBlocks(data).fill(0x20, data.length)]));
    const file = await openFits(path);
    const t = await file.hdus[1]!.readTable();
    expect(Array.from(t.columns.F as Float64Array)).to.deep.equal([12.34, -5.5, 0]);
    expect(Array.from(t.columns.I as Float64Array)).to.deep.equal([13.5, NaN, 10.5]);
    expect(t.columns.S).to.deep.equal([" ab", " c", ""]); // leading blanks are data
    for (const name of ["F", "E", "I"]) {
      expect(hex(t.columns[name] as Float64Array), name).to.equal((await cfitsioColumn(path, 1, name, "f64")).toString("hex"));
    }
    await file.close();
    // Fortran's bare signed exponent is not FITS (Table 16): CFITSIO refuses it, so do we.
    const bare = Buffer.from(Buffer.concat([primary, table, dataBlocks(Buffer.from(rows.join("").replace("-3E+2", "-3+2 "), "latin1")).fill(0x20, data.length)]));
    const bad = await openFits(bare);
    const error = await bad.hdus[1]!.readTable().catch((e: unknown) => e);
    expect((error as Error).message).to.match(/"-3\+2 {4}" is not a number/);
    expect(error).to.include({ hdu: 1, offset: 2 * 2880 + 2 * 22 + 7 });
  });

  it("writes X, C, M, variable-length and TDIM columns that CFITSIO, astropy and fitsverify accept", async () => {
    const path = join(temp.dir, "ours.fits");
    const vj = [new Int32Array([1, -2, 3]), new Int32Array(0), new Int32Array([2 ** 31 - 1])];
    const vu = [new Uint16Array([0, 65535]), new Uint16Array([32768]), new Uint16Array(0)];
    const vd = [new Float64Array([0.1]), new Float64Array([1, NaN, -Infinity]), new Float64Array(0)];
    const bits = [true, false, true, true, false, false, false, true, true, false, true, ...Array(10).fill(false), true, ...Array(11).fill(true)];
    await writeFits(
      path,
      [
        {
          kind: "bintable",
          columns: {
            bits,
            c: new Float32Array([1, 2, 3, -4, 0, 0.5, -1, 0, Infinity, 0, 1e-3, 0]),
            m: new Float64Array([1.5, 0.25, -0, -1, 0, 1e300]),
            cube: Int16Array.from({ length: 36 }, (_, i) => i),
          },
          bits: ["bits"],
          complex: ["c", "m"],
          repeats: { bits: 11, c: 2, cube: 12 },
          dims: { cube: [2, 2, 3] },
          arrays: { vj, vu, vd, va: ["abc", "", "hello world"], vl: [[true], [], [false, true]] },
        },
      ],
      { checksum: true },
    );
    const verdict = await fitsverify(path);
    expect(verdict, verdict.text).to.include({ errors: 0, warnings: 0 });

    const seen = await runPythonJson<Record<string, unknown>>(
      String.raw`
import sys, json, numpy as np
from astropy.io import fits
def le(a): return np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tobytes().hex()
with fits.open(sys.argv[1]) as h:
    t = h[1].data
    c = h[1].columns
    print(json.dumps({
        'formats': [x.format for x in c], 'dim': c['cube'].dim,
        'bits': t['bits'].ravel().tolist(), 'c': le(t['c']), 'm': le(t['m']), 'cube': t['cube'].shape,
        'vj': [le(r) for r in t['vj']], 'vu': [le(r) for r in t['vu']],
        'vd': [le(r) for r in t['vd']], 'va': [np.asarray(x).tobytes().decode('utf-32-le' if np.asarray(x).dtype.kind == 'U' else 'ascii') for x in t['va']], 'vl': [[v == 84 if isinstance(v, int) else bool(v) for v in r.tolist()] for r in t['vl']]}))`,
      [path],
    );
    expect(seen.formats).to.deep.equal(["11X", "2C", "1M", "12I", "1PJ(3)", "1PI(2)", "1PD(3)", "1PA(11)", "1PL(2)"]);
    expect(seen.dim).to.equal("(3,2,2)");
    expect(seen.bits).to.deep.equal(bits);
    expect(seen.cube).to.deep.equal([3, 2, 2, 3]);
    expect(seen.vj).to.deep.equal(vj.map(hex));
    // astropy 5.2.1 gets unsigned variable-length columns (TZEROn = 32768) wrong: it keeps int16
    // and applies TZERO to the first row only. CFITSIO applies it to every row, as the standard
    // says (FITS 4.0 §7.3.5): we follow CFITSIO (checked below).
    expect(seen.vu).to.not.deep.equal(vu.map(hex));
    expect(seen.vd).to.deep.equal(vd.map(hex));
    expect(seen.va).to.deep.equal(["abc", "", "hello world"]);
    // astropy 5.2.1 returns a PL column's stored bytes ('T' = 84, 'F' = 70), mapped back above.
    expect(seen.vl).to.deep.equal([[true], [], [false, true]]);

    expect(splitRows(await cfitsioColumn(path, 1, "vu", "u16"), 2)).to.deep.equal(vu.map(hex));
    expect(splitRows(await cfitsioColumn(path, 1, "vd", "f64!"), 8)).to.deep.equal(vd.map(hex));
    expect(hex((await readBack(path)).columns.m as Float64Array)).to.equal((await cfitsioColumn(path, 1, "m", "c128")).toString("hex"));

    const back = await readBack(path);
    expect(back.columns.bits).to.deep.equal(bits);
    expect((back.columns.vu as Uint16Array[]).map((r) => hex(r as Uint16Array))).to.deep.equal(vu.map(hex));
    expect(back.columns.vl).to.deep.equal([[true], [], [false, true]]);
    expect(back.dims.cube).to.deep.equal([2, 2, 3]);
    // what readTable gives writes back from `columns` alone: per-row arrays are variable-length columns
    const again = join(temp.dir, "again.fits");
    await writeFits(again, [{ kind: "image" }, { kind: "bintable", columns: { vu: back.columns.vu!, bits: back.columns.bits! }, bits: ["bits"], repeats: { bits: back.repeats.bits! } }]);
    const reread = (await readBack(again)) as typeof back;
    expect(reread.variable).to.deep.equal(["vu"]);
    expect(reread.tforms.vu).to.match(/^1PU|^1PI/);
    expect((reread.columns.vu as Uint16Array[]).map((r) => hex(r))).to.deep.equal(vu.map(hex));
    expect(splitRows(await cfitsioColumn(again, 1, "vu", "u16"), 2)).to.deep.equal(vu.map(hex));
  });
});

async function readBack(path: string): Promise<Awaited<ReturnType<Awaited<ReturnType<typeof openFits>>["hdus"][number]["readTable"]>>> {
  const file = await openFits(path, { checksum: "error" });
  try {
    return await file.hdus[1]!.readTable();
  } finally {
    await file.close();
  }
}

import { expect } from "chai";
import { join } from "node:path";
import { FitsError } from "../../src/errors.js";
import { openFits, writeFits, type TableColumn } from "../../src/fits/index.js";
import { Header } from "../../src/image/header.js";
import { bigEndian, dataBlocks, headerBlocks, makeTempDir } from "./fits-bytes.js";

/** A file with an empty primary and one hand-built BINTABLE. */
function tableFile(cards: string[], rows: Uint8Array): Buffer {
  const primary = headerBlocks(["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 0", "EXTEND  = T"]);
  const head = headerBlocks(["XTENSION= 'BINTABLE'", "BITPIX  = 8", "NAXIS   = 2", ...cards, "PCOUNT  = 0", "GCOUNT  = 1"]);
  return Buffer.concat([primary, head, dataBlocks(rows)]);
}

describe("FITS binary tables", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  before(async () => (temp = await makeTempDir()));
  after(async () => temp.remove());

  it("round-trips every supported column type, with repeats, units and nulls", async () => {
    const path = join(temp.dir, "all.fits");
    const columns = {
      flag: [true, false, true],
      flags: [true, true, false, false, true, false],
      byte: new Uint8Array([0, 128, 255]),
      sbyte: new Int8Array([-128, 0, 127]),
      short: new Int16Array([-32768, 0, 32767]),
      ushort: new Uint16Array([0, 32768, 65535]),
      int: new Int32Array([-(2 ** 31), 7, 2 ** 31 - 1]),
      uint: new Uint32Array([0, 2 ** 31, 2 ** 32 - 1]),
      long: new BigInt64Array([-(2n ** 63n), 1n, 2n ** 63n - 1n]),
      ulong: new BigUint64Array([0n, 2n ** 63n, 2n ** 64n - 1n]),
      flux: new Float32Array([1.5, NaN, -Infinity]),
      ra: new Float64Array([0.1, -0, 359.99999999999]),
      vec: new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9]),
      name: ["alpha", "", "  lead"],
    };
    await writeFits(path, [
      { kind: "image" },
      {
        kind: "bintable",
        header: Header.fromObject({ EXTNAME: "CAT" }),
        columns,
        units: { flux: "count", ra: "deg" },
        repeats: { flags: 2, vec: 3 },
        nulls: { int: 7 },
      },
    ]);
    const file = await openFits(path);
    const hdu = file.hdu("CAT");
    expect(hdu.kind).to.equal("bintable");
    const forms = Array.from({ length: 14 }, (_, i) => hdu.header.get(`TFORM${i + 1}`));
    expect(forms).to.deep.equal(["1L", "2L", "1B", "1B", "1I", "1I", "1J", "1J", "1K", "1K", "1E", "1D", "3D", "6A"]);
    expect(hdu.header.get("TZERO4")).to.equal(-128);
    expect(hdu.header.get("TZERO6")).to.equal(32768);
    expect(hdu.header.get("TZERO8")).to.equal(2147483648);
    expect(hdu.header.get("TZERO10")).to.equal(2n ** 63n);
    expect(hdu.header.get("TNULL7")).to.equal(7);
    const table = await hdu.readTable();
    expect(table.nrows).to.equal(3);
    expect(Object.keys(table.columns)).to.deep.equal(Object.keys(columns));
    for (const [name, values] of Object.entries(columns)) {
      const back = table.columns[name]!;
      expect(back.constructor.name, name).to.equal(values.constructor.name);
      if (ArrayBuffer.isView(values)) {
        const a = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
        const b = Buffer.from((back as Float64Array).buffer, (back as Float64Array).byteOffset, (back as Float64Array).byteLength);
        expect(b.equals(a), name).to.equal(true);
      } else {
        expect(back, name).to.deep.equal(values);
      }
    }
    expect(table.units).to.deep.equal({ flux: "count", ra: "deg" });
    expect(table.repeats).to.include({ flag: 1, flags: 2, vec: 3, name: 1, int: 1 });
    expect(table.nulls).to.deep.equal({ int: 7 });
    await file.close();
  });

  it("writes the first table after an empty primary, and zero-row tables", async () => {
    const path = join(temp.dir, "zero.fits");
    await writeFits(path, [{ kind: "bintable", columns: { a: new Int16Array(0), s: [] as string[], v: new Float32Array(0) }, repeats: { v: 4 } }]);
    const file = await openFits(path);
    expect(file.hdus.map((h) => h.kind)).to.deep.equal(["image", "bintable"]);
    const table = await file.hdus[1]!.readTable();
    expect(table.nrows).to.equal(0);
    expect(table.columns.a).to.be.instanceOf(Int16Array).with.length(0);
    expect(table.columns.s).to.deep.equal([]);
    expect(table.repeats.v).to.equal(4);
    expect(file.hdus[1]!.header.get("TFORM2")).to.equal("1A");
    await file.close();
  });

  it("refuses ragged columns and mixed plain arrays", async () => {
    const path = join(temp.dir, "ragged.fits");
    const cases: Array<Record<string, TableColumn>> = [
      { a: new Int16Array(3), b: new Int16Array(4) },
      { a: [true, "x"] as unknown as boolean[] },
      { a: new Float32Array(5) },
    ];
    for (const columns of cases) {
      const error = await writeFits(path, [{ kind: "image" }, { kind: "bintable", columns, repeats: { a: 2 } }]).catch((e: unknown) => e);
      expect(error, JSON.stringify(Object.keys(columns))).to.be.instanceOf(FitsError);
      expect((error as FitsError).hdu).to.equal(1);
    }
    const nonAscii = await writeFits(path, [{ kind: "bintable", columns: { s: ["café"] } }]).catch((e: unknown) => e);
    expect(nonAscii).to.be.instanceOf(FitsError);
  });

  it("applies TSCAL/TZERO to floats with TNULL → NaN, and reads NUL-terminated strings", async () => {
    const rows = Buffer.concat(
      [
        [-1, 10, 1.5, "ab\0zz"],
        [5, 20, 2.5, "xyz  "],
      ].map(([i, j, e, s]) =>
        Buffer.concat([bigEndian([i as number], 2, "int"), bigEndian([j as number], 4, "int"), bigEndian([e as number], 4, "float"), Buffer.from(s as string, "latin1")]),
      ),
    );
    const file = await openFits(
      tableFile(
        ["NAXIS1  = 15", "NAXIS2  = 2", "TFIELDS = 4", "TTYPE1  = 'I'", "TFORM1  = 'I'", "TSCAL1  = 0.5", "TZERO1  = 100", "TNULL1  = -1",
          "TTYPE2  = 'J'", "TFORM2  = '1J'", "TZERO2  = 1.5", "TTYPE3  = 'E'", "TFORM3  = 'E'", "TSCAL3  = 2.0", "TTYPE4  = 'S'", "TFORM4  = '5A'", "TUNIT4  = 'none'"],
        rows,
      ),
    );
    const table = await file.hdus[1]!.readTable();
    expect(table.columns.I).to.be.instanceOf(Float32Array);
    expect(Array.from(table.columns.I as Float32Array)).to.deep.equal([NaN, 102.5]);
    expect(table.columns.J).to.be.instanceOf(Float64Array);
    expect(Array.from(table.columns.J as Float64Array)).to.deep.equal([11.5, 21.5]);
    expect(Array.from(table.columns.E as Float32Array)).to.deep.equal([3, 5]);
    expect(table.columns.S).to.deep.equal(["ab", "xyz"]);
    expect(table.units).to.deep.equal({ S: "none" });
    expect(table.nulls).to.deep.equal({});
  });

  it("names untitled and duplicate columns, and reads bit columns most significant bit first", async () => {
    const file = await openFits(
      tableFile(["NAXIS1  = 4", "NAXIS2  = 1", "TFIELDS = 3", "TFORM1  = 'B'", "TTYPE2  = 'x'", "TFORM2  = 'B'", "TTYPE3  = 'x'", "TFORM3  = '2B'"], Buffer.from([1, 2, 3, 4])),
    );
    const table = await file.hdus[1]!.readTable();
    expect(Object.keys(table.columns)).to.deep.equal(["col1", "x", "x_3"]);
    expect(Array.from(table.columns.x_3 as Uint8Array)).to.deep.equal([3, 4]);
    const bits = await openFits(tableFile(["NAXIS1  = 2", "NAXIS2  = 1", "TFIELDS = 1", "TFORM1  = '16X'"], Buffer.from([1, 2])));
    const read = await bits.hdus[1]!.readTable();
    expect(read.columns.col1).to.deep.equal([...Array(7).fill(false), true, ...Array(6).fill(false), true, false]);
    expect(read.repeats.col1).to.equal(16);
    expect(read.tforms.col1).to.equal("16X");
  });

  it("refuses readTable on an image and readImage on a table", async () => {
    const path = join(temp.dir, "kinds.fits");
    await writeFits(path, [{ kind: "image", data: new Uint8Array(2) }, { kind: "bintable", columns: { a: new Uint8Array(2) } }]);
    const file = await openFits(path);
    expect(await file.hdus[0]!.readTable().catch((e: unknown) => e)).to.be.instanceOf(FitsError);
    expect(await file.hdus[1]!.readImage().catch((e: unknown) => e)).to.be.instanceOf(FitsError);
    await file.close();
  });
});

import { expect } from "chai";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FitsError } from "../../src/errors.js";
import { openFits, writeFits } from "../../src/fits/index.js";
import { Header } from "../../src/image/header.js";
import type { PixelArray } from "../../src/image/image.js";
import { bigEndian, CountingSource, makeTempDir, primaryImage } from "./fits-bytes.js";

const bytesOf = (a: PixelArray): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** One array per pixel type, with the extremes of its range. */
function samples(): Array<[string, PixelArray, number, number | bigint | undefined]> {
  const f32 = new Float32Array([0, -0, NaN, Infinity, -Infinity, 1.5e-45, 3.4e38, -1.25]);
  const f64 = new Float64Array([0, -0, NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE, Math.PI]);
  // A NaN with a payload: bit-exactness means even this survives.
  new DataView(f64.buffer).setBigUint64(16, 0x7ff4000000000abcn, true);
  new DataView(f32.buffer).setUint32(8, 0x7fa00123, true);
  return [
    ["Uint8Array", new Uint8Array([0, 1, 127, 128, 255, 7]), 8, undefined],
    ["Int8Array", new Int8Array([-128, -1, 0, 1, 127, 5]), 8, -128],
    ["Int16Array", new Int16Array([-32768, -1, 0, 1, 32767, 12]), 16, undefined],
    ["Uint16Array", new Uint16Array([0, 1, 32767, 32768, 65535, 9]), 16, 32768],
    ["Int32Array", new Int32Array([-(2 ** 31), -1, 0, 1, 2 ** 31 - 1, 3]), 32, undefined],
    ["Uint32Array", new Uint32Array([0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 4]), 32, 2147483648],
    ["BigInt64Array", new BigInt64Array([-(2n ** 63n), -1n, 0n, 1n, 2n ** 63n - 1n, 2n ** 53n + 1n]), 64, undefined],
    ["BigUint64Array", new BigUint64Array([0n, 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 53n + 1n]), 64, 2n ** 63n],
    ["Float32Array", f32, -32, undefined],
    ["Float64Array", f64, -64, undefined],
  ];
}

describe("FITS images", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  before(async () => (temp = await makeTempDir()));
  after(async () => temp.remove());

  for (const [name, data, bitpix, zero] of samples()) {
    it(`round-trips ${name} bit-exactly (BITPIX ${bitpix}${zero === undefined ? "" : `, BZERO ${zero}`})`, async () => {
      const path = join(temp.dir, `${name}.fits`);
      const shape = data.length === 8 ? [2, 4] : [2, 3];
      await writeFits(path, [{ kind: "image", data, shape }]);
      const file = await openFits(path);
      try {
        const hdu = file.hdus[0]!;
        expect(hdu.header.get("BITPIX")).to.equal(bitpix);
        if (zero === undefined) expect(hdu.header.has("BZERO")).to.equal(false);
        else expect(String(hdu.header.get("BZERO"))).to.equal(String(zero));
        const { data: back, shape: backShape } = await hdu.readImage();
        expect(back.constructor.name).to.equal(name);
        expect(backShape).to.deep.equal(shape);
        expect(bytesOf(back).equals(bytesOf(data))).to.equal(true);
      } finally {
        await file.close();
      }
      const size = (await readFile(path)).length;
      expect(size % 2880).to.equal(0);
    });
  }

  it("stores offset types as value - BZERO, big-endian (checked against DataView)", async () => {
    // A symmetric bug (the same wrong bit flipped on write and read) would survive a round trip;
    // the stored bytes must be what the standard says.
    const cases: Array<[PixelArray, Buffer]> = [
      [new Int8Array([-128, 0, 127]), bigEndian([0, 128, 255], 1, "uint")],
      [new Uint16Array([0, 65535, 1]), bigEndian([-32768, 32767, -32767], 2, "int")],
      [new Uint32Array([0, 2 ** 32 - 1, 5]), bigEndian([-(2 ** 31), 2 ** 31 - 1, 5 - 2 ** 31], 4, "int")],
      [new BigUint64Array([0n, 2n ** 64n - 1n, 5n]), bigEndian([-(2n ** 63n), 2n ** 63n - 1n, 5n - 2n ** 63n], 8, "int")],
      [new Float64Array([1.5, -0]), bigEndian([1.5, -0], 8, "float")],
    ];
    for (const [data, stored] of cases) {
      const path = join(temp.dir, "be.fits");
      await writeFits(path, [{ kind: "image", data }]);
      const bytes = await readFile(path);
      expect(bytes.subarray(2880, 2880 + stored.length).equals(stored), data.constructor.name).to.equal(true);
    }
  });

  it("writes N-dimensional images with NAXISn in reversed order", async () => {
    const path = join(temp.dir, "cube.fits");
    const data = Float64Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i);
    await writeFits(path, [{ kind: "image", data, shape: [2, 3, 4, 5] }]);
    const file = await openFits(path);
    const hdu = file.hdus[0]!;
    expect([1, 2, 3, 4].map((n) => hdu.header.get(`NAXIS${n}`))).to.deep.equal([5, 4, 3, 2]);
    expect((await hdu.readImage()).data).to.deep.equal(data);
    await file.close();
  });

  it("streams images larger than the scratch buffer, without growing memory", async () => {
    const path = join(temp.dir, "large.fits");
    const data = new Uint16Array(12 << 20); // 24 MiB, several scratch chunks with a sign flip each
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) & 0xffff;
    const before = process.memoryUsage().arrayBuffers;
    await writeFits(path, [{ kind: "image", data, shape: [3 << 10, 4 << 10] }]);
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(grown).to.be.lessThan(12 << 20);
    const file = await openFits(path);
    const { data: back } = await file.hdus[0]!.readImage();
    expect(bytesOf(back).equals(bytesOf(data))).to.equal(true);
    await file.close();
  });

  it("writes a header-only image as NAXIS = 0 and reads it as empty", async () => {
    const path = join(temp.dir, "empty.fits");
    await writeFits(path, [{ kind: "image", header: Header.fromObject({ OBJECT: "nothing" }) }]);
    const file = await openFits(path);
    const hdu = file.hdus[0]!;
    expect(hdu.header.toObject()).to.deep.include({ SIMPLE: true, BITPIX: 8, NAXIS: 0, EXTEND: true, OBJECT: "nothing" });
    expect(hdu.shape).to.deep.equal([]);
    const { data, shape } = await hdu.readImage();
    expect(data.length).to.equal(0);
    expect(shape).to.deep.equal([]);
    await file.close();
    expect((await readFile(path)).length).to.equal(2880);
  });

  it("drops structural cards from the given header and keeps the rest in order", async () => {
    const path = join(temp.dir, "cards.fits");
    const header = new Header([
      { keyword: "BITPIX", value: 16 },
      { keyword: "EXTNAME", value: "SCI" },
      { keyword: "NAXIS1", value: 99 },
      { keyword: "BZERO", value: 1000 },
      { keyword: "BSCALE", value: 3 },
      { keyword: "HISTORY", value: "one" },
      { keyword: "GAIN", value: 1.5 },
    ]);
    await writeFits(path, [{ kind: "image", header, data: new Float32Array([1, 2]) }]);
    const file = await openFits(path);
    const keys = file.hdus[0]!.header.cards.map((c) => c.keyword);
    expect(keys).to.deep.equal(["SIMPLE", "BITPIX", "NAXIS", "NAXIS1", "EXTEND", "EXTNAME", "HISTORY", "GAIN"]);
    expect(file.hdus[0]!.header.get("BITPIX")).to.equal(-32);
    expect(Array.from((await file.hdus[0]!.readImage()).data as Float32Array)).to.deep.equal([1, 2]);
    await file.close();
  });

  it("applies BSCALE/BZERO with BLANK → NaN, to Float32 for 8/16 bits and Float64 for 32/64", async () => {
    const cases: Array<[number, 1 | 2 | 4 | 8, string]> = [
      [8, 1, "Float32Array"],
      [16, 2, "Float32Array"],
      [32, 4, "Float64Array"],
      [64, 8, "Float64Array"],
    ];
    for (const [bitpix, size, type] of cases) {
      const raw = bitpix === 8 ? [0, 3, 255, 10] : [-5, 3, 99, 10];
      const blank = bitpix === 8 ? 255 : 99;
      const bytes = primaryImage(["BSCALE  = 0.5", "BZERO   = 10.0", `BLANK   = ${blank}`], bitpix, [4], bigEndian(raw, size, bitpix === 8 ? "uint" : "int"));
      const file = await openFits(bytes);
      const { data } = await file.hdus[0]!.readImage();
      expect(data.constructor.name, `BITPIX ${bitpix}`).to.equal(type);
      const expected = raw.map((v) => (v === blank ? NaN : v * 0.5 + 10));
      expect(Array.from(data as Float64Array)).to.deep.equal(expected);
    }
  });

  it("applies BZERO to float images and ignores BLANK when nothing is scaled", async () => {
    const floats = await openFits(primaryImage(["BZERO   = 1.0"], -32, [2], bigEndian([1.5, -1], 4, "float")));
    expect(Array.from((await floats.hdus[0]!.readImage()).data as Float32Array)).to.deep.equal([2.5, 0]);
    const ints = await openFits(primaryImage(["BLANK   = -1"], 16, [3], bigEndian([-1, 0, 1], 2, "int")));
    const { data } = await ints.hdus[0]!.readImage();
    expect(data).to.be.instanceOf(Int16Array);
    expect(Array.from(data as Int16Array)).to.deep.equal([-1, 0, 1]);
  });

  it("reads a sub-image equal to the same region of the full read, reading fewer bytes", async () => {
    const path = join(temp.dir, "sub.fits");
    const [height, width] = [60, 70];
    const data = Int32Array.from({ length: height * width }, (_, i) => i * 3 - 1000);
    await writeFits(path, [{ kind: "image", data: new Uint32Array(data.buffer), shape: [height, width] }]);
    const whole = new CountingSource(await readFile(path));
    const file = await openFits(whole);
    const afterOpen = whole.bytesRead;
    expect(afterOpen).to.be.lessThan(3 * 2880); // headers only, not the 16 KiB of data
    const full = (await file.hdus[0]!.readImage()).data as Uint32Array;
    const fullBytes = whole.bytesRead - afterOpen;
    expect(fullBytes).to.equal(height * width * 4);

    const before = whole.reads.length;
    const readBefore = whole.bytesRead;
    const { data: part, shape } = await file.hdus[0]!.readImage({ rows: [10, 25], cols: [5, 17] });
    expect(shape).to.deep.equal([15, 12]);
    const expected: number[] = [];
    for (let y = 10; y < 25; y++) for (let x = 5; x < 17; x++) expected.push(full[y * width + x]!);
    expect(Array.from(part as Uint32Array)).to.deep.equal(expected);
    expect(whole.bytesRead - readBefore).to.equal(15 * 12 * 4);
    expect(whole.reads.length - before).to.equal(15); // one ranged read per row

    const readsBefore = whole.reads.length;
    const rows = await file.hdus[0]!.readImage({ rows: [3, 9] });
    expect(whole.reads.length - readsBefore).to.equal(1); // whole rows are one contiguous run
    expect(Array.from(rows.data as Uint32Array)).to.deep.equal(Array.from(full.subarray(3 * width, 9 * width)));
    const empty = await file.hdus[0]!.readImage({ rows: [4, 4] });
    expect(empty.shape).to.deep.equal([0, width]);
    await file.close();
  });

  it("reads rows and columns of every plane of a cube", async () => {
    const shape = [3, 8, 9];
    const data = Float32Array.from({ length: 3 * 8 * 9 }, (_, i) => i / 4);
    const path = join(temp.dir, "cube-sub.fits");
    await writeFits(path, [{ kind: "image", data, shape }]);
    const file = await openFits(path);
    const { data: part, shape: partShape } = await file.hdus[0]!.readImage({ rows: [2, 5], cols: [1, 4] });
    expect(partShape).to.deep.equal([3, 3, 3]);
    const expected: number[] = [];
    for (let z = 0; z < 3; z++) for (let y = 2; y < 5; y++) for (let x = 1; x < 4; x++) expected.push(data[(z * 8 + y) * 9 + x]!);
    expect(Array.from(part as Float32Array)).to.deep.equal(expected);
    await file.close();
  });

  it("rejects regions outside the image", async () => {
    const file = await openFits(primaryImage([], 8, [4, 3], new Uint8Array(12)));
    for (const region of [{ rows: [0, 4] as [number, number] }, { cols: [-1, 2] as [number, number] }, { cols: [2, 1] as [number, number] }, { rows: [0.5, 1] as [number, number] }]) {
      const error = await file.hdus[0]!.readImage(region).catch((e: unknown) => e);
      expect(error, JSON.stringify(region)).to.be.instanceOf(FitsError);
      expect((error as FitsError).hdu).to.equal(0);
    }
  });

  it("refuses data that disagrees with its shape, before creating the file", async () => {
    const path = join(temp.dir, "bad-shape.fits");
    for (const [data, shape] of [[new Float32Array(6), [4, 2]], [new Float32Array(1), []], [new Uint8Array(2), [2, -1]]] as const) {
      const error = await writeFits(path, [{ kind: "image", data, shape: [...shape] }]).catch((e: unknown) => e);
      expect(error, JSON.stringify(shape)).to.be.instanceOf(FitsError);
      expect((error as FitsError).hdu).to.equal(0);
    }
    const missing = await readFile(path).catch((e: NodeJS.ErrnoException) => e.code);
    expect(missing).to.equal("ENOENT");
  });
});

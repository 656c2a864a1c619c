import { expect } from "chai";
import { join } from "node:path";
import { openFits, writeFits } from "../../src/fits/index.js";
import { swapInPlace } from "../../src/fits/byte-order.js";
import { gatherColumn, gatherColumnSwapped } from "../../src/fits/row-bytes.js";
import { SwapScratch } from "../../src/fits/swap-scratch.js";
import { makeTempDir } from "./fits-bytes.js";

/** Bytes that differ everywhere (no swap can leave them unchanged by accident). */
function pattern(length: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

/** The reference: big-endian `size`-byte elements reversed one by one. */
function reversedElements(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k]!;
  return out;
}

describe("FITS byte swaps", () => {
  describe("SwapScratch (SIMD swaps)", () => {
    for (const size of [2, 4, 8] as const) {
      it(`swaps ${size}-byte elements of parts of its buffer, whatever their length and position`, () => {
        const scratch = new SwapScratch(1 << 16);
        // lengths around the 16-byte blocks, at offsets that are element but not block boundaries
        for (const [offset, length] of [[0, 16 * 5], [size, 16 * 3 + size], [3 * size, size], [8, 4096 + 8], [0, 0]] as const) {
          const original = pattern(1 << 16, offset + length);
          scratch.bytes.set(original);
          scratch.swap(scratch.bytes.subarray(offset, offset + length), size);
          const expected = Uint8Array.from(original);
          expected.set(reversedElements(original.subarray(offset, offset + length), size), offset);
          expect(Buffer.from(scratch.bytes).equals(Buffer.from(expected)), `offset ${offset} length ${length}`).to.equal(true);
        }
      });
    }

    it("swaps a buffer that is not its own too, and leaves bytes alone for 1-byte elements", () => {
      const scratch = new SwapScratch(64);
      const other = pattern(40);
      const before = Uint8Array.from(other);
      scratch.swap(other, 4);
      expect([...other]).to.deep.equal([...reversedElements(before, 4)]);
      scratch.swap(other, 1);
      expect([...other]).to.deep.equal([...reversedElements(before, 4)]);
    });

    it("gives each scratch its own memory", () => {
      const a = new SwapScratch(1024);
      const b = new SwapScratch(1024);
      a.bytes.fill(1);
      b.bytes.fill(2);
      expect(a.bytes.every((x) => x === 1)).to.equal(true);
    });
  });

  describe("gatherColumnSwapped", () => {
    // rows of 3 + 2 + 16 + 12 + 8 + 6 = 47 bytes: every field misaligned somewhere
    const fields = [
      { offset: 0, width: 3, size: 1 },
      { offset: 3, width: 2, size: 2 },
      { offset: 5, width: 16, size: 8 },
      { offset: 21, width: 12, size: 4 },
      { offset: 33, width: 8, size: 8 },
      { offset: 41, width: 6, size: 2 },
    ] as const;
    for (const rowBytes of [47, 48]) {
      it(`equals a gather then a swap, for every element size and repeat (rows of ${rowBytes} bytes)`, () => {
        const rows = 101;
        const table = pattern(rows * rowBytes);
        for (const { offset, width, size } of fields) {
          const expected = new Uint8Array(rows * width);
          gatherColumn(table, rowBytes, offset, width, rows, expected, 0);
          swapInPlace(expected, size);
          // in two pieces, the second at an offset, as the reader fills a column chunk by chunk
          const out = new Uint8Array(rows * width);
          gatherColumnSwapped(table.subarray(0, 60 * rowBytes), rowBytes, offset, width, size, 60, out, 0);
          gatherColumnSwapped(table.subarray(60 * rowBytes), rowBytes, offset, width, size, rows - 60, out, 60 * width);
          expect(Buffer.from(out).equals(Buffer.from(expected)), `field at ${offset}`).to.equal(true);
        }
      });
    }

    it("keeps the bits of NaNs with payloads", () => {
      const rowBytes = 12;
      const table = new Uint8Array(2 * rowBytes);
      const view = new DataView(table.buffer);
      view.setUint32(0, 0x7fa00001); // a signalling float32 NaN
      view.setUint32(4, 0x7ff40000);
      view.setUint32(8, 0x00000005); // a signalling float64 NaN
      view.setUint32(12, 0xffc00123);
      const f32 = new Float32Array(2);
      gatherColumnSwapped(table, rowBytes, 0, 4, 4, 2, new Uint8Array(f32.buffer), 0);
      expect(new Uint32Array(f32.buffer)[0]).to.equal(0x7fa00001);
      const f64 = new Float64Array(1);
      gatherColumnSwapped(table.subarray(0, rowBytes), rowBytes, 4, 8, 8, 1, new Uint8Array(f64.buffer), 0);
      expect(new DataView(f64.buffer).getBigUint64(0, true)).to.equal(0x7ff4000000000005n);
    });
  });

  describe("SwapScratch.gather", () => {
    it("copies a 4- or 8-byte field of every row, and declines what it cannot do", () => {
      const scratch = new SwapScratch(1 << 16);
      const rowBytes = 20;
      const rows = 100;
      scratch.bytes.set(pattern(rows * rowBytes));
      const table = scratch.bytes.subarray(0, rows * rowBytes);
      const into = scratch.bytes.subarray(32768);
      for (const [column, width] of [[0, 8], [12, 8], [3, 4], [16, 4]] as const) {
        const expected = new Uint8Array(rows * width);
        gatherColumn(table, rowBytes, column, width, rows, expected, 0);
        expect(scratch.gather(table, rowBytes, column, width, rows, into)).to.equal(true);
        expect(Buffer.from(into.subarray(0, rows * width)).equals(Buffer.from(expected)), `field at ${column}`).to.equal(true);
      }
      expect(scratch.gather(table, rowBytes, 0, 2, rows, into)).to.equal(false);
      expect(scratch.gather(new Uint8Array(rows * rowBytes), rowBytes, 0, 4, rows, into)).to.equal(false);
      expect(scratch.gather(table, rowBytes, 16, 8, rows, into)).to.equal(false); // past the row
    });
  });

  describe("table reads through the wasm gather", () => {
    let temp: Awaited<ReturnType<typeof makeTempDir>>;
    before(async () => (temp = await makeTempDir()));
    after(async () => temp.remove());

    it("round-trips a table of several chunks with every numeric width, NaN payloads kept", async () => {
      const n = 200_000; // 46-byte rows: 9 MB, three 4 MiB chunks
      const long = new BigInt64Array(n);
      const ra = new Float64Array(n);
      const flux = new Float32Array(n);
      const id = new Int32Array(n);
      const short = new Int16Array(n);
      const vec = new Float32Array(3 * n);
      const z = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        long[i] = BigInt(i) * -1000003n;
        ra[i] = i * 0.001 - 7;
        flux[i] = i * 0.25;
        id[i] = i ^ 0x5a5a5a5a;
        short[i] = (i * 7) & 0x7fff;
        for (let k = 0; k < 3; k++) vec[3 * i + k] = i + k / 4;
        z[2 * i] = i;
        z[2 * i + 1] = -i;
      }
      new Uint32Array(flux.buffer)[12345] = 0x7fa00001; // a signalling NaN with a payload
      const path = join(temp.dir, "wide.fits");
      await writeFits(path, [{ kind: "bintable", columns: { long, ra, flux, id, short, vec, z }, repeats: { vec: 3 }, complex: ["z"] }]);
      const fits = await openFits(path);
      try {
        const table = await fits.hdus[1]!.readTable();
        const same = (a: ArrayBufferView, b: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
        for (const [name, values] of Object.entries({ long, ra, flux, id, short, vec, z })) {
          expect(same(table.columns[name] as ArrayBufferView, values), name).to.equal(true);
        }
      } finally {
        await fits.close();
      }
    });
  });
});

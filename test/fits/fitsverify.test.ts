/**
 * fitsverify (CFITSIO's conformance checker) finds 0 errors and 0 warnings in every kind of file
 * the writer makes: images of every pixel type and dimension, multi-extension files, tables of every
 * column type, header-only HDUs, long strings and HIERARCH cards. (Compressed images, variable-
 * length arrays and checksums are verified with their own tests.)
 */
import { expect } from "chai";
import { join } from "node:path";
import { writeFits, type HduInput } from "../../src/fits/index.js";
import { Header } from "../../src/image/header.js";
import type { PixelArray } from "../../src/image/image.js";
import { fitsverify } from "../support/cfitsio.js";
import { makeTempDir } from "./fits-bytes.js";

const PIXELS: Record<string, PixelArray> = {
  uint8: new Uint8Array([0, 255, 7, 9, 1, 2]),
  int8: new Int8Array([-128, 127, 0, 1, 2, 3]),
  int16: new Int16Array([-32768, 32767, 0, 1, 2, 3]),
  uint16: new Uint16Array([0, 65535, 1, 2, 3, 4]),
  int32: new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0, 1, 2, 3]),
  uint32: new Uint32Array([0, 2 ** 32 - 1, 1, 2, 3, 4]),
  int64: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, 1n, 2n, 3n]),
  uint64: new BigUint64Array([0n, 2n ** 64n - 1n, 1n, 2n, 3n, 4n]),
  float32: new Float32Array([0, -0, NaN, Infinity, -Infinity, 1.5e-45]),
  float64: new Float64Array([0, -0, NaN, Infinity, -Infinity, 5e-324]),
};

describe("FITS files we write pass fitsverify", function () {
  this.timeout(30000);
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  before(async () => (temp = await makeTempDir()));
  after(async () => temp.remove());

  it("every pixel type, 1-D to 3-D, header-only, MEF, every fixed-width column type, long strings", async () => {
    const files: Record<string, HduInput[]> = {};
    for (const [name, data] of Object.entries(PIXELS)) {
      files[`${name}-2d`] = [{ kind: "image", data, shape: [2, 3] }];
      files[`${name}-cube`] = [{ kind: "image" }, { kind: "image", data, shape: [1, 2, 3], header: Header.fromObject({ EXTNAME: "CUBE" }) }];
    }
    files["header-only"] = [{ kind: "image", header: Header.fromObject({ OBSID: 42, OBJECT: "M31" }) }];
    files["mef"] = [
      { kind: "image", header: new Header([{ keyword: "LONGSTR", value: `a ${"long ".repeat(30)}string`, comment: "with a comment" }, { keyword: "ESO DET CHIP NAME", value: "CCD-1" }]) },
      { kind: "image", header: Header.fromObject({ EXTNAME: "IMAGE" }), data: new Float32Array(12), shape: [3, 4] },
      { kind: "image", header: Header.fromObject({ EXTNAME: "MASK" }), data: new Int32Array(12), shape: [3, 4] },
      { kind: "bintable", header: Header.fromObject({ EXTNAME: "CAT" }), columns: { id: new BigInt64Array([1n, 2n]) } },
    ];
    files["table"] = [
      {
        kind: "bintable",
        columns: {
          flag: [true, false],
          bits: [true, false, true, true, false, false, true, false, true, true],
          b: new Uint8Array([0, 255]),
          sb: new Int8Array([-128, 127]),
          i: new Int16Array([-1, 1]),
          ui: new Uint16Array([0, 65535]),
          j: new Int32Array([1, 2]),
          uj: new Uint32Array([0, 2 ** 32 - 1]),
          k: new BigInt64Array([1n, -1n]),
          uk: new BigUint64Array([0n, 2n ** 64n - 1n]),
          e: new Float32Array([1, NaN]),
          d: new Float64Array([1, 2, 3, 4, 5, 6]),
          c: new Float32Array([1, 2, 3, 4]),
          m: new Float64Array([1, 2, 3, 4]),
          s: ["abc", ""],
        },
        bits: ["bits"],
        complex: ["c", "m"],
        repeats: { bits: 5, d: 3 },
        dims: { d: [3, 1] },
        units: { e: "mag" },
        nulls: { j: -1 },
      },
    ];
    files["empty-table"] = [{ kind: "bintable", columns: { a: new Float64Array(0), s: [] as string[] } }];
    const failures: string[] = [];
    for (const [name, hdus] of Object.entries(files)) {
      const path = join(temp.dir, `${name}.fits`);
      await writeFits(path, hdus);
      const verdict = await fitsverify(path);
      if (verdict.errors + verdict.warnings > 0) failures.push(`${name}:\n${verdict.text}`);
    }
    expect(failures, failures.join("\n")).to.deep.equal([]);
  });
});

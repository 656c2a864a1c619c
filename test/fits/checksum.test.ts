/**
 * CHECKSUM/DATASUM: the sum against a word-by-word reference, files we write checked by CFITSIO,
 * fitsverify and astropy, files they checksum checked by us, and damage detected in each mode.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FitsError } from "../../src/errors.js";
import { OnesComplementSum } from "../../src/fits/checksum.js";
import { openFits, writeFits, type HduInput } from "../../src/fits/index.js";
import { Header } from "../../src/image/header.js";
import { runPythonJson } from "../support/astropy.js";
import { cfitsioChecksums, fitsverify, runCfitsio } from "../support/cfitsio.js";
import { makeTempDir } from "./fits-bytes.js";

/** The 32-bit ones' complement sum as CFITSIO's ffcsum computes it: 16-bit halves, end-around carries. */
function referenceSum(bytes: Uint8Array): number {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < bytes.length; i += 4) {
    hi += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
    lo += ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0);
    let hiCarry = hi >>> 16;
    let loCarry = lo >>> 16;
    while (hiCarry || loCarry) {
      hi = (hi & 0xffff) + loCarry;
      lo = (lo & 0xffff) + hiCarry;
      hiCarry = hi >>> 16;
      loCarry = lo >>> 16;
    }
  }
  return ((hi << 16) >>> 0) + lo;
}

const sample = (): HduInput[] => [
  { kind: "image", header: Header.fromObject({ OBSID: 42 }) },
  { kind: "image", header: Header.fromObject({ EXTNAME: "IMAGE" }), data: Float32Array.from({ length: 600 }, (_, i) => Math.sin(i) * 1e3), shape: [20, 30] },
  { kind: "image", header: Header.fromObject({ EXTNAME: "MASK" }), data: Uint16Array.from({ length: 600 }, (_, i) => (i * 37) & 0xffff), shape: [20, 30] },
  { kind: "bintable", header: Header.fromObject({ EXTNAME: "CAT" }), columns: { id: new BigInt64Array([1n, 2n, 3n]), flux: new Float64Array([0.5, NaN, 3]), name: ["a", "bb", "ccc"] } },
];

describe("FITS checksums", function () {
  this.timeout(30000);
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  before(async () => (temp = await makeTempDir()));
  after(async () => temp.remove());

  it("sums like CFITSIO's word-by-word algorithm, in any chunking and alignment", () => {
    for (const n of [0, 1, 3, 4, 7, 2880, 100_003, 1 << 20]) {
      const bytes = randomBytes(n + 1).subarray(1); // odd byteOffset: the unaligned path
      const chunked = new OnesComplementSum();
      for (let at = 0; at < n; ) {
        const k = Math.min(n - at, 1 + ((at * 7919) % 4099));
        chunked.update(bytes.subarray(at, at + k));
        at += k;
      }
      const expected = referenceSum(bytes);
      expect(chunked.value, `${n} bytes`).to.equal(expected);
      expect(new OnesComplementSum().update(Uint8Array.from(bytes)).value, `${n} bytes aligned`).to.equal(expected);
    }
    expect(new OnesComplementSum().update(new Uint8Array(8).fill(0xff)).value).to.equal(0xffffffff);
  });

  it("writes CHECKSUM/DATASUM that fitsverify, CFITSIO, astropy and we accept", async () => {
    const path = join(temp.dir, "ours.fits");
    await writeFits(path, sample(), { checksum: true });
    const verdict = await fitsverify(path);
    expect(verdict, verdict.text).to.include({ errors: 0, warnings: 0 });
    expect(await cfitsioChecksums(path)).to.deep.equal(Array(4).fill({ data: 1, hdu: 1 }));
    const astropy = await runPythonJson<number[][]>(
      String.raw`
import sys, json, warnings
from astropy.io import fits
warnings.simplefilter('error')
with fits.open(sys.argv[1], checksum=True) as h:
    print(json.dumps([[x.verify_checksum(), x.verify_datasum()] for x in h]))`,
      [path],
    );
    expect(astropy).to.deep.equal(Array(4).fill([1, 1])); // 1: present and right

    const file = await openFits(path, { checksum: "error" });
    expect(file.hdus.map((h) => h.checksum)).to.deep.equal(Array(4).fill({ header: "ok", data: "unverified" }));
    await file.hdu("IMAGE").readImage();
    await file.hdu("CAT").readTable();
    expect(file.hdu("IMAGE").checksum).to.deep.equal({ header: "ok", data: "ok" });
    expect(file.hdu("CAT").checksumOk).to.equal(true);
    expect(await file.hdu("MASK").verifyChecksum()).to.equal(true);
    expect(file.hdus[0]!.checksumOk).to.equal(undefined); // data not verified yet
    await file.close();
    // Without the option no checksum cards are written.
    await writeFits(path, sample());
    expect((await readFile(path)).includes("CHECKSUM")).to.equal(false);
  });

  it("verifies files checksummed by CFITSIO and by astropy", async () => {
    const fromCfitsio = join(temp.dir, "cfitsio.fits");
    await writeFits(fromCfitsio, sample());
    await runCfitsio("cfwrite", ["checksum", fromCfitsio]);
    const fromAstropy = join(temp.dir, "astropy.fits");
    await runPythonJson(
      String.raw`
import sys, numpy as np
from astropy.io import fits
t = fits.BinTableHDU.from_columns([fits.Column(name='x', format='D', array=np.arange(5.0))])
fits.HDUList([fits.PrimaryHDU(np.arange(35, dtype='>i2').reshape(5, 7)), t]).writeto(sys.argv[1], checksum=True)
print('0')`,
      [fromAstropy],
    );
    for (const path of [fromCfitsio, fromAstropy]) {
      const file = await openFits(path, { checksum: "error" });
      for (const hdu of file.hdus) {
        expect(hdu.checksum.header, `${path} ${hdu.index}`).to.equal("ok");
        if (hdu.kind === "image") await hdu.readImage();
        else await hdu.readTable();
        expect(hdu.checksum, `${path} ${hdu.index}`).to.deep.equal({ header: "ok", data: "ok" });
      }
      await file.close();
    }
  });

  it("flags damaged data or headers, throws in error mode, and computes nothing in ignore mode", async () => {
    const path = join(temp.dir, "damaged.fits");
    await writeFits(path, sample(), { checksum: true });
    const bytes = await readFile(path);
    const probe = await openFits(bytes);
    const image = probe.hdu("IMAGE");
    const dataAt = image.dataOffset + 100;
    const cardAt = bytes.indexOf("EXTNAME = 'MASK", probe.hdu("MASK").dataOffset - 2880 * 2);
    await probe.close();

    const dataHit = Buffer.from(bytes);
    dataHit[dataAt]! ^= 0x01;
    let file = await openFits(dataHit);
    expect(file.hdu("IMAGE").checksum).to.deep.equal({ header: "ok", data: "unverified" });
    await file.hdu("IMAGE").readImage({ rows: [0, 2] }); // a sub-image read cannot check
    expect(file.hdu("IMAGE").checksumOk).to.equal(undefined);
    await file.hdu("IMAGE").readImage();
    expect(file.hdu("IMAGE").checksum).to.deep.equal({ header: "bad", data: "bad" });
    expect(file.hdu("IMAGE").checksumOk).to.equal(false);
    await file.close();

    file = await openFits(dataHit, { checksum: "error" });
    const error = await file.hdu("IMAGE").readImage().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(FitsError);
    expect(error).to.include({ hdu: 1, offset: image.dataOffset });
    expect((error as Error).message).to.match(/DATASUM/);
    await file.close();

    const headerHit = Buffer.from(bytes);
    headerHit.write("EXTNAME = 'MASQ", cardAt, "latin1");
    file = await openFits(headerHit);
    expect(file.hdu("MASQ").checksum.header).to.equal("bad");
    await file.close();
    const opening = await openFits(headerHit, { checksum: "error" }).catch((e: unknown) => e);
    expect(opening).to.be.instanceOf(FitsError);
    expect(opening).to.include({ hdu: 2 });

    file = await openFits(headerHit, { checksum: "ignore" });
    await file.hdu("MASQ").readImage();
    expect(file.hdu("MASQ").checksum).to.deep.equal({ header: "unverified", data: "unverified" });
    expect(await file.hdu("MASQ").verifyChecksum()).to.equal(false); // asked for explicitly
    await file.close();
  });

  it("reports a DATASUM that is not a number", async () => {
    const path = join(temp.dir, "odd.fits");
    await writeFits(path, sample().slice(0, 2), { checksum: true });
    const bytes = await readFile(path);
    const at = bytes.indexOf("DATASUM = '");
    bytes.write("DATASUM = 'x12'     ", at, "latin1");
    await writeFile(path, bytes);
    const file = await openFits(path);
    expect(file.hdus[0]!.checksum.data).to.equal("bad");
    await file.close();
    expect(await openFits(path, { checksum: "error" }).catch((e: unknown) => e)).to.be.instanceOf(FitsError);
  });
});

import { expect } from "chai";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ClosedError, FitsError } from "../../src/errors.js";
import { FileByteSource, openFits, writeFits } from "../../src/fits/index.js";
import { Header } from "../../src/image/header.js";
import { CountingSource, makeTempDir } from "./fits-bytes.js";

describe("FITS files (multi-extension, lookup, sources)", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let path: string;
  before(async () => {
    temp = await makeTempDir();
    path = join(temp.dir, "mef.fits");
    const named = (name: string, ver?: number): Header => Header.fromObject(ver === undefined ? { EXTNAME: name } : { EXTNAME: name, EXTVER: ver });
    await writeFits(path, [
      { kind: "image", header: Header.fromObject({ OBSID: 7 }) },
      { kind: "image", header: named("SCI", 1), data: new Float32Array(1000), shape: [20, 50] },
      { kind: "image", header: named("SCI", 2), data: new Float32Array([2]) },
      { kind: "image", header: named("mask"), data: new Uint16Array([3]) },
      { kind: "bintable", header: named("CAT"), columns: { id: new Int32Array([4]) } },
    ]);
  });
  after(async () => temp.remove());

  it("lists HDUs and finds them by index, EXTNAME (any case) and EXTVER", async () => {
    const file = await openFits(path);
    expect(file.hdus.map((h) => [h.index, h.kind, h.extname, h.extver])).to.deep.equal([
      [0, "image", undefined, 1],
      [1, "image", "SCI", 1],
      [2, "image", "SCI", 2],
      [3, "image", "mask", 1],
      [4, "bintable", "CAT", 1],
    ]);
    expect(file.hdu("SCI").index).to.equal(1);
    expect(file.hdu("sci", 2).index).to.equal(2);
    expect(file.hdu("MASK").index).to.equal(3);
    expect(file.hdu(4).kind).to.equal("bintable");
    expect((await file.hdu("SCI", 2).readImage()).data[0]).to.equal(2);
    expect(file.hdu("SCI").shape).to.deep.equal([20, 50]);
    for (const [what, ver] of [["SCI", 3], ["NOPE", undefined], [9, undefined]] as const) {
      expect(() => file.hdu(what, ver)).to.throw(FitsError);
    }
    expect(() => file.hdu("NOPE")).to.throw(/SCI, SCI,2, mask, CAT/);
    await file.close();
  });

  it("reads headers only when opening, and data on demand", async () => {
    const bytes = await readFile(path);
    const source = new CountingSource(bytes);
    const file = await openFits(source);
    const headerBytes = source.bytesRead;
    // Each header is one block; reading stops at END (a read may run a little past it, never into
    // the whole data of a large HDU).
    expect(source.reads.every(([, n]) => n <= 4 * 2880)).to.equal(true);
    expect(source.reads.some(([offset]) => offset > file.hdu("SCI").dataOffset && offset < file.hdu("SCI").dataOffset + 4000)).to.equal(false);
    expect(headerBytes).to.be.lessThan(bytes.length);
    await file.hdu("SCI").readImage();
    expect(source.bytesRead - headerBytes).to.equal(4000);
    await file.close();
    expect(source.closed).to.equal(true);
  });

  it("reads from a path, bytes in memory and a FileByteSource alike, and refuses reads after close", async () => {
    const fromBytes = await openFits(await readFile(path));
    const fromSource = await openFits(await FileByteSource.open(path));
    const fromPath = await openFits(path);
    for (const file of [fromBytes, fromSource, fromPath]) {
      expect((await file.hdu("MASK").readImage()).data).to.deep.equal(new Uint16Array([3]));
      expect((await file.hdu("CAT").readTable()).columns.id).to.deep.equal(new Int32Array([4]));
      expect(file.hdus[0]!.header.get("OBSID")).to.equal(7);
      await file.close();
      await file.close(); // idempotent
      const error = await file.hdu("MASK").readImage().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ClosedError);
    }
  });

  it("rewrites a file read from disk byte-exactly", async () => {
    const file = await openFits(path);
    const inputs = [];
    for (const hdu of file.hdus) {
      if (hdu.kind === "bintable") {
        const t = await hdu.readTable();
        inputs.push({ kind: "bintable" as const, header: hdu.header, columns: t.columns, units: t.units, repeats: t.repeats });
      } else if (hdu.shape.length === 0) inputs.push({ kind: "image" as const, header: hdu.header });
      else inputs.push({ kind: "image" as const, header: hdu.header, ...(await hdu.readImage()) });
    }
    await file.close();
    const copy = join(temp.dir, "copy.fits");
    await writeFits(copy, inputs);
    expect((await readFile(copy)).equals(await readFile(path))).to.equal(true);
  });

  it("fails to open a missing path with the fs error", async () => {
    const error = await openFits(join(temp.dir, "missing.fits")).catch((e: NodeJS.ErrnoException) => e);
    expect(error).to.have.property("code", "ENOENT");
  });
});

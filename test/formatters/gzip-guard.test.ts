/**
 * A `.fits.gz` is decompressed as a stream, and only as far as its FITS headers say: a gzip bomb (a
 * valid header followed by gigabytes of zeros, or no FITS at all) stops with a FitsError after at
 * most a block more than the file claims, leaving no temp file; real multi-HDU files pass whole.
 */
import { expect } from "chai";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, gzipSync } from "node:zlib";
import { FitsError } from "../../src/errors.js";
import { fitsSizeGuard, writeFits } from "../../src/fits/index.js";
import { fitsFormatter } from "../../src/formatters/fits-formatters.js";
import { PosixStorage } from "../../src/storage/posix/posix-storage.js";
import { Header } from "../../src/image/header.js";
import { TempScope } from "../../src/temp/index.js";
import { rejection } from "../../src/testing/assertions.js";
import { filesBelow } from "../../src/testing/files-below.js";
import { tempRoot } from "../../src/temp/index.js";

const MiB = 1024 * 1024;

/** Passes `bytes` through the guard in chunks of `size`; returns what came out. */
async function guarded(bytes: Buffer, size: number): Promise<Buffer> {
  const out: Buffer[] = [];
  const chunks = function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  };
  await pipeline(Readable.from(chunks()), fitsSizeGuard({ what: "test" }), new Writable({ write: (c: Buffer, _e, cb) => void (out.push(c), cb()) }));
  return Buffer.concat(out);
}

describe("gzip-compressed FITS: the size guard", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "skybutler-gzguard-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("passes a multi-HDU file byte for byte, whatever the chunking", async () => {
    const path = join(dir, "mef.fits");
    await writeFits(path, [
      { kind: "image", header: Header.fromObject({ OBSERVER: "me" }) },
      { kind: "image", data: new Float32Array(100 * 37).fill(1.5), shape: [37, 100] },
      { kind: "bintable", header: new Header(), columns: { id: new Int32Array([1, 2, 3]), flux: new Float64Array([1, 2, 3]) } },
    ]);
    const bytes = await readFile(path);
    for (const size of [1, 79, 2880, 4096, bytes.length]) expect((await guarded(bytes, size)).equals(bytes), `chunks of ${size}`).to.equal(true);
  });

  it("stops a stream that is no FITS, or holds more than its headers declare", async () => {
    const junk = await rejection(guarded(Buffer.alloc(10_000, 0x41), 1000));
    expect(junk).to.be.instanceOf(FitsError);
    expect(junk.message).to.include("not a FITS file");
    const path = join(dir, "small.fits");
    await writeFits(path, [{ kind: "image", data: new Uint8Array(64 * 48), shape: [48, 64] }]);
    const small = await readFile(path);
    const padded = Buffer.concat([small, Buffer.alloc(2880)]); // one block of trailing padding is tolerated
    expect((await guarded(padded, 512)).length).to.equal(padded.length);
    const more = await rejection(guarded(Buffer.concat([small, Buffer.alloc(3 * 2880)]), 512));
    expect(more).to.be.instanceOf(FitsError);
    expect(more.message).to.include("more bytes than its headers declare");
  });

  it("a 256 MiB gzip bomb read through the FITS formatter stops early, with a FitsError and no temp file", async () => {
    const root = join(dir, "repo");
    const storage = await PosixStorage.open(root, { create: true });
    const header = await readFile(join(dir, "small.fits")); // a valid 64x48 uint8 image…
    const bomb = join(root, "raw.fits.gz");
    const zeros = function* () {
      yield header;
      for (let i = 0; i < 256; i++) yield Buffer.alloc(MiB); // …followed by 256 MiB it never declared
    };
    await pipeline(Readable.from(zeros()), createGzip({ level: 1 }), createWriteStream(bomb));
    expect((await stat(bomb)).size).to.be.below(2 * MiB);
    const temp = new TempScope();
    const location = { datasetType: "raw", storageName: "FitsStorage", pythonType: "Exposure", locations: ["raw.fits"], dataId: {}, additionalData: {} };
    const started = process.hrtime.bigint();
    for (const view of [undefined, "header", "bbox"] as const) {
      const err = await rejection(fitsFormatter.read({ storage, key: "raw.fits.gz", location: { ...location, ...(view ? { view } : {}) }, temp }));
      expect(err, String(view)).to.be.instanceOf(FitsError);
      expect(err.message).to.include("more bytes than its headers declare");
    }
    expect(Number(process.hrtime.bigint() - started) / 1e9, "seconds for three reads").to.be.below(5);
    expect(filesBelow(tempRoot()).filter((f) => f.includes("gunzip"))).to.deep.equal([]);
    // and a well-formed .gz of the same image still reads
    await writeFile(join(root, "ok.fits.gz"), gzipSync(header));
    const read = await fitsFormatter.read({ storage, key: "ok.fits.gz", location, temp });
    expect((read as { image: { width: number } }).image.width).to.equal(64);
    await temp.close();
    await storage.close();
  });
});

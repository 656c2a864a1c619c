import { expect } from "chai";
import { FitsError } from "../../src/errors.js";
import { openFits, writeFits, type HduInput } from "../../src/fits/index.js";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { bigEndian, dataBlocks, headerBlocks, makeTempDir, primaryImage } from "./fits-bytes.js";

/** Opens good headers, then expects reading HDU `hdu` to fail fast with a FitsError at `offset`. */
async function damagedRead(bytes: Uint8Array, hdu: number, offset: number | undefined, message: RegExp, read: "image" | "table" = "image"): Promise<void> {
  const file = await openFits(bytes);
  const started = performance.now();
  const target = file.hdus[hdu]!;
  const error = await (read === "image" ? target.readImage() : target.readTable()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(performance.now() - started, "time to fail (ms)").to.be.lessThan(500);
  expect(error).to.be.instanceOf(FitsError);
  expect((error as FitsError).hdu).to.equal(hdu);
  if (offset !== undefined) expect((error as FitsError).offset).to.equal(offset);
  expect((error as FitsError).message).to.match(message);
  await file.close();
}

/** The bytes of a file our writer makes. */
async function written(hdus: HduInput[]): Promise<Buffer> {
  const temp = await makeTempDir();
  try {
    await writeFits(join(temp.dir, "f.fits"), hdus);
    return await readFile(join(temp.dir, "f.fits"));
  } finally {
    await temp.remove();
  }
}

/** Overwrites the card starting with `keyword` (the first after `from`) with `card`. */
function patchCard(bytes: Buffer, keyword: string, card: string, from = 0): number {
  const at = bytes.indexOf(keyword.padEnd(8), from, "latin1");
  if (at < 0 || at % 80 !== 0) throw new Error(`no ${keyword} card`);
  bytes.write(card.padEnd(80), at, "latin1");
  return at;
}

/** Opens damaged bytes and returns the FitsError, asserting it comes fast and says where. */
async function damage(bytes: Uint8Array, hdu: number, offset: number, message?: RegExp): Promise<FitsError> {
  const started = performance.now();
  const error = await openFits(bytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(performance.now() - started, "time to fail (ms)").to.be.lessThan(500);
  expect(error).to.be.instanceOf(FitsError);
  const fits = error as FitsError;
  expect(fits.code).to.equal("E_FITS");
  expect({ hdu: fits.hdu, offset: fits.offset }).to.deep.equal({ hdu, offset });
  if (message) expect(fits.message).to.match(message);
  return fits;
}

const good = (): Buffer => primaryImage([], 16, [10, 10], bigEndian(new Array(100).fill(1), 2, "int"));
const extension = (cards: string[], data: Uint8Array = new Uint8Array(0)): Buffer =>
  Buffer.concat([headerBlocks(["XTENSION= 'IMAGE   '", ...cards, "PCOUNT  = 0", "GCOUNT  = 1"]), dataBlocks(data)]);

describe("FITS damaged input", () => {
  it("an empty file or one that is not FITS", async () => {
    await damage(new Uint8Array(0), 0, 0, /empty/);
    await damage(Buffer.from("PK\x03\x04 not a fits file".padEnd(2880, "x"), "latin1"), 0, 2, /printable ASCII/);
    await damage(Buffer.from("NOTFITS = T".padEnd(2880, " ")), 0, 0, /SIMPLE/);
    await damage(headerBlocks(["SIMPLE  = F", "BITPIX  = 8", "NAXIS   = 0"]), 0, 0, /SIMPLE/);
  });

  it("a truncated header block", async () => {
    const cards = Array.from({ length: 40 }, (_, i) => `KEY${i}    = ${i}`);
    const bytes = primaryImage(cards, 8, [0], new Uint8Array(0)); // header spans two blocks
    await damage(bytes.subarray(0, 2880 + 1000), 0, 2880, /truncated/);
    await damage(good().subarray(0, 1000), 0, 0, /truncated/);
  });

  it("a header without END, even a long one, fails in bounded time", async () => {
    await damage(headerBlocks(["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 0"], false), 0, 2880, /END/);
    const huge = Buffer.alloc(2880 * 4000, " "); // 11 MB of blank cards
    huge.write("SIMPLE  =                    T", 0, "latin1");
    await damage(huge, 0, huge.length, /END/);
  });

  it("truncated data, in the primary and in an extension", async () => {
    const bytes = good();
    await damage(bytes.subarray(0, 2880 + 150), 0, 2880 + 150, /truncated data/);
    const two = Buffer.concat([headerBlocks(["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 0", "EXTEND  = T"]), extension(["BITPIX  = -64", "NAXIS   = 1", "NAXIS1  = 400"], new Uint8Array(3200))]);
    await damage(two.subarray(0, two.length - 2880), 1, two.length - 2880, /truncated data/);
  });

  it("a bad BITPIX", async () => {
    await damage(primaryImage([], 12, [4], new Uint8Array(8)), 0, 80, /BITPIX/);
    await damage(headerBlocks(["SIMPLE  = T", "BITPIX  = 'sixteen'", "NAXIS   = 0"]), 0, 80, /BITPIX/);
    await damage(headerBlocks(["SIMPLE  = T", "NAXIS   = 0"]), 0, 0, /missing required keyword BITPIX/);
  });

  it("NAXISn negative, non-integer or missing; NAXIS out of range", async () => {
    await damage(primaryImage([], 8, [4, -2], new Uint8Array(8)), 0, 4 * 80, /NAXIS2/);
    await damage(headerBlocks(["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 1", "NAXIS1  = 2.5"]), 0, 3 * 80, /NAXIS1 must be an integer/);
    await damage(headerBlocks(["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 2", "NAXIS1  = 2"]), 0, 0, /NAXIS2/);
    await damage(headerBlocks(["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 1000"]), 0, 160, /NAXIS/);
  });

  it("an axis product that overflows 64 bits (CFITSIO wraps it to 0) or a size beyond the file", async () => {
    // 2^16 × 2^16 × 2^16 × 2^16 × 1 byte = 2^64 bytes: 0 modulo 2^64.
    await damage(primaryImage([], 8, [65536, 65536, 65536, 65536], new Uint8Array(0)), 0, 6 * 80, /claims 18446744073709551616 bytes/);
    await damage(headerBlocks(["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 1", "NAXIS1  = 99999999999999999999"]), 0, 3 * 80, /too large/);
    await damage(primaryImage([], -64, [100000, 100000], new Uint8Array(80)), 0, 4 * 80, /more than the whole file/);
  });

  it("non-ASCII bytes in a header", async () => {
    const bytes = good();
    bytes[80 * 2 + 15] = 0xe9; // é in latin-1, inside the NAXIS card
    await damage(bytes, 0, 175, /0xe9/);
    const tab = good();
    tab[5 * 80 + 3] = 0x09;
    await damage(tab, 0, 403, /0x09/);
  });

  it("a trailing partial block; whole trailing non-extension blocks are ignored", async () => {
    await damage(Buffer.concat([good(), Buffer.alloc(100)]), 1, good().length, /trailing/);
    await damage(Buffer.concat([good(), Buffer.from("XTENSION= 'IMAGE'")]), 1, good().length, /trailing/);
    const special = await openFits(Buffer.concat([good(), Buffer.alloc(2880 * 2)]));
    expect(special.hdus).to.have.length(1);
    // A last HDU with all its data but without the padding of its final block loses nothing: read it.
    const unpadded = good().subarray(0, 2880 + 200);
    const file = await openFits(unpadded);
    expect(Array.from((await file.hdus[0]!.readImage()).data as Int16Array)).to.deep.equal(new Array(100).fill(1));
  });

  it("an unknown TFORM and a NAXIS1 that disagrees with the TFORMs", async () => {
    const primary = headerBlocks(["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 0", "EXTEND  = T"]);
    const table = (cards: string[]): Buffer =>
      Buffer.concat([primary, headerBlocks(["XTENSION= 'BINTABLE'", "BITPIX  = 8", "NAXIS   = 2", ...cards, "PCOUNT  = 0", "GCOUNT  = 1"]), dataBlocks(new Uint8Array(12))]);
    await damage(table(["NAXIS1  = 4", "NAXIS2  = 3", "TFIELDS = 1", "TFORM1  = '1Z'"]), 1, 2880 + 6 * 80, /unknown TFORM1/);
    await damage(table(["NAXIS1  = 6", "NAXIS2  = 2", "TFIELDS = 2", "TFORM1  = 'J'", "TFORM2  = 'E'"]), 1, 2880 + 3 * 80, /NAXIS1 = 6 disagrees/);
    await damage(table(["NAXIS1  = 4", "NAXIS2  = 3", "TFIELDS = 1"]), 1, 2880, /missing or non-string TFORM1/); // absent: the header's offset
  });

  it("an extension without PCOUNT/GCOUNT or of an unknown type", async () => {
    const primary = headerBlocks(["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 0", "EXTEND  = T"]);
    await damage(Buffer.concat([primary, headerBlocks(["XTENSION= 'IMAGE   '", "BITPIX  = 8", "NAXIS   = 0"])]), 1, 2880, /PCOUNT/);
    await damage(Buffer.concat([primary, headerBlocks(["XTENSION= 'WEIRD   '", "BITPIX  = 8", "NAXIS   = 0", "PCOUNT  = 0", "GCOUNT  = 1"])]), 1, 2880, /WEIRD/);
  });

  describe("tile-compressed images", () => {
    const H = 20;
    const W = 30;
    const compressed = (type: "RICE_1" | "GZIP_2"): Promise<Buffer> =>
      written([{ kind: "image", data: Int32Array.from({ length: H * W }, (_, i) => (i * 7919) % 1000), shape: [H, W], compression: { type } }]);

    it("a tile grid that disagrees with the rows, or an image its data cannot hold", async () => {
      let bytes = await compressed("RICE_1");
      patchCard(bytes, "ZTILE2", "ZTILE2  =                    2");
      await damage(bytes, 1, bytes.indexOf("NAXIS2  =", 2880, "latin1"), /tiles but the table has 20 rows/);
      bytes = await compressed("RICE_1");
      patchCard(bytes, "ZNAXIS1", "ZNAXIS1 =           1000000000");
      patchCard(bytes, "ZTILE1", "ZTILE1  =          50000000000");
      const axis = patchCard(bytes, "ZNAXIS2", "ZNAXIS2 =           1000000000");
      await damage(bytes, 1, axis, /claims 1000000000000000000 pixels, more than its/);
    });

    it("a descriptor past the heap, a truncated or garbled Rice tile, a GZIP bomb", async () => {
      const bytes = await compressed("RICE_1");
      const file = await openFits(bytes);
      const hdu = file.hdus[1]!;
      const rows = hdu.dataOffset;
      const heap = rows + 8 * H;
      await file.close();

      const past = Buffer.from(bytes);
      past.writeInt32BE(1 << 30, rows + 8 * 3 + 4); // tile 4's offset
      await damagedRead(past, 1, rows + 8 * 3, /runs past the end/);

      const short = Buffer.from(bytes);
      short.writeInt32BE(3, rows); // tile 1 is 3 bytes long
      await damagedRead(short, 1, heap, /tile 1: Rice tile/);

      const garbled = Buffer.from(bytes);
      const first = garbled.readInt32BE(rows);
      garbled.fill(0xff, heap + 4, heap + first); // every block "verbatim", longer than the tile
      await damagedRead(garbled, 1, heap, /tile 1: Rice tile ends/);

      const gz = await compressed("GZIP_2");
      const gzFile = await openFits(gz);
      const gzRows = gzFile.hdus[1]!.dataOffset;
      await gzFile.close();
      // Tile 2's descriptor pointed at tile 1's bytes is fine; a bomb that inflates past the tile is not.
      const { gzipSync } = await import("node:zlib");
      const bomb = gzipSync(new Uint8Array(1 << 20));
      const table = Buffer.alloc(8 * H);
      for (let t = 0; t < H; t++) table.writeInt32BE(bomb.length, 8 * t);
      const header = Buffer.from(gz.subarray(0, gzRows));
      patchCard(header, "PCOUNT", `PCOUNT  = ${String(bomb.length).padStart(20)}`, 2880);
      const bombFile = Buffer.concat([header, dataBlocks(Buffer.concat([table, bomb]))]);
      await damagedRead(bombFile, 1, gzRows + 8 * H, /tile 1: GZIP tile does not inflate to at most 240 bytes/);
    });
  });

  describe("variable-length arrays and ASCII tables", () => {
    const vla = (): Promise<Buffer> => written([{ kind: "bintable", columns: { id: new Int16Array([1, 2, 3]) }, arrays: { v: [new Int32Array([1, 2]), new Int32Array(0), new Int32Array([3])] } }]);

    it("a descriptor past the heap or negative (astropy returns an empty array; we follow CFITSIO)", async () => {
      const bytes = await vla();
      const file = await openFits(bytes);
      const rows = file.hdus[1]!.dataOffset;
      await file.close();
      const past = Buffer.from(bytes);
      // Rows are 10 bytes (I, then the descriptor); row 3 now claims 5 elements at heap offset 8.
      past.writeInt32BE(5, rows + 10 * 2 + 2);
      past.writeInt32BE(8, rows + 10 * 2 + 6);
      await damagedRead(past, 1, rows + 10 * 2 + 2, /runs past the end of the 12-byte heap/, "table");
      const negative = Buffer.from(bytes);
      negative.writeInt32BE(-1, rows + 10 + 2);
      await damagedRead(negative, 1, rows + 10 + 2, /negative variable-length array descriptor/, "table");
    });

    it("descriptors that all reuse the heap far more than a table could need", async () => {
      const n = 20000;
      const big = new Int32Array(64 * 1024); // a 256 KiB heap array
      const rows = Array.from({ length: n }, (_, i) => (i === 0 ? big : new Int32Array(0)));
      const bytes = await written([{ kind: "bintable", columns: {}, arrays: { v: rows } }]);
      const file = await openFits(bytes);
      const at = file.hdus[1]!.dataOffset;
      await file.close();
      for (let r = 1; r < n; r++) {
        bytes.writeInt32BE(big.length, at + 8 * r); // every row: the whole heap
        bytes.writeInt32BE(0, at + 8 * r + 4);
      }
      await damagedRead(bytes, 1, undefined, /add up to more than 16 times the 262144-byte heap/, "table");
    });

    it("an ASCII-table field outside the row or with a bad format", async () => {
      const primary = headerBlocks(["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 0", "EXTEND  = T"]);
      const ascii = (cards: string[]): Buffer =>
        Buffer.concat([primary, headerBlocks(["XTENSION= 'TABLE   '", "BITPIX  = 8", "NAXIS   = 2", "NAXIS1  = 10", "NAXIS2  = 1", "PCOUNT  = 0", "GCOUNT  = 1", "TFIELDS = 1", ...cards]), dataBlocks(Buffer.alloc(10, 0x20))]);
      await damage(ascii(["TBCOL1  = 5", "TFORM1  = 'I8'"]), 1, 2880 + 8 * 80, /runs past the 10-byte row/);
      await damage(ascii(["TBCOL1  = 1", "TFORM1  = 'Z8'"]), 1, 2880 + 9 * 80, /not an ASCII-table format/);
    });
  });
});
import { expect } from "chai";
import { FitsError } from "../../src/errors.js";
import { openFits } from "../../src/fits/index.js";
import { bigEndian, dataBlocks, headerBlocks, primaryImage } from "./fits-bytes.js";

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
});

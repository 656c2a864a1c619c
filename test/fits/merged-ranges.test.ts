/**
 * A sub-image from a source whose requests are dear (an object store): rows separated by small
 * gaps are read in one request (`ByteSource.mergeGap`), with exactly the pixels of separate reads.
 */
import { expect } from "chai";
import { MemoryByteSource, openFits, writeFits, type ByteSource } from "../../src/fits/index.js";

/** A byte source over a FITS file in memory that counts its reads and may merge gaps. */
function countingSource(bytes: Uint8Array, mergeGap: number): ByteSource & { reads: number; bytesRead: number } {
  const inner = new MemoryByteSource(bytes);
  const source = {
    size: inner.size,
    mergeGap,
    reads: 0,
    bytesRead: 0,
    async read(offset: number, length: number): Promise<Uint8Array> {
      source.reads++;
      source.bytesRead += length;
      return inner.read(offset, length);
    },
  };
  return source;
}

describe("sub-image reads over dear requests", () => {
  const width = 512;
  const height = 256;
  const pixels = new Float32Array(width * height).map((_, i) => (i % 9973) * 0.5 - 7);
  let file: Uint8Array;
  before(async () => {
    const { mkdtemp, readFile, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "skybutler-merge-"));
    try {
      await writeFits(join(dir, "i.fits"), [{ kind: "image", data: pixels, shape: [height, width] }]);
      file = new Uint8Array(await readFile(join(dir, "i.fits")));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  /** Rows 40–103, columns 100–131 of the image through a source with the given merge gap. */
  async function box(mergeGap: number): Promise<{ data: Float32Array; reads: number; bytesRead: number }> {
    const source = countingSource(file, mergeGap);
    const fits = await openFits(source);
    const headerReads = source.reads;
    const { data } = await fits.hdus[0]!.readImage({ rows: [40, 104], cols: [100, 132] });
    return { data: data as Float32Array, reads: source.reads - headerReads, bytesRead: source.bytesRead };
  }

  it("reads 64 rows of a 32-pixel box in one request with a merge gap, 64 without, same pixels", async () => {
    const separate = await box(0);
    const merged = await box(256 * 1024);
    expect(separate.reads).to.equal(64);
    expect(merged.reads).to.equal(1);
    const expected = Float32Array.from({ length: 64 * 32 }, (_, i) => pixels[(40 + Math.floor(i / 32)) * width + 100 + (i % 32)]!);
    expect(Array.from(separate.data)).to.deep.equal(Array.from(expected));
    expect(Array.from(merged.data)).to.deep.equal(Array.from(expected));
  });

  it("keeps gaps larger than the merge gap as separate requests", async () => {
    // each row's gap is (512 - 32) × 4 = 1,920 bytes: a 1,000-byte merge gap merges nothing
    expect((await box(1000)).reads).to.equal(64);
    expect((await box(2000)).reads).to.equal(1);
  });
});

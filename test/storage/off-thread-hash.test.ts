import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashFile, LOCAL_LIMIT, OffThreadHash } from "../../src/storage/off-thread-hash.js";

/** Feeds `data` in pieces of `piece` bytes, awaiting backpressure, reusing one buffer as a writer would. */
async function hashInPieces(algorithm: "sha256" | "md5", data: Uint8Array, piece: number): Promise<string> {
  const hash = new OffThreadHash(algorithm);
  const scratch = new Uint8Array(piece);
  for (let offset = 0; offset < data.length; offset += piece) {
    const part = data.subarray(offset, offset + piece);
    scratch.set(part);
    await hash.update(scratch.subarray(0, part.length));
    scratch.fill(0xee); // the caller reuses its buffer at once: the hash must have copied it
  }
  return hash.digest();
}

describe("OffThreadHash", () => {
  const expected = (algorithm: string, data: Uint8Array) => createHash(algorithm).update(data).digest("hex");

  for (const size of [0, 1, 1027, LOCAL_LIMIT, LOCAL_LIMIT + 1, 3 * LOCAL_LIMIT + 17]) {
    it(`gives node:crypto's SHA-256 and MD5 of ${size} bytes fed in uneven pieces`, async () => {
      const data = randomBytes(size);
      for (const algorithm of ["sha256", "md5"] as const) {
        expect(await hashInPieces(algorithm, data, 65_537), algorithm).to.equal(expected(algorithm, data));
      }
    });
  }

  it("bounds what waits for the worker: update returns a promise once 8 MiB are in flight", async () => {
    const hash = new OffThreadHash("sha256");
    const chunk = randomBytes(4 * 1024 * 1024);
    const whole = createHash("sha256");
    let waited = 0;
    for (let i = 0; i < 24; i++) {
      const pending = hash.update(chunk);
      whole.update(chunk);
      if (pending !== undefined) {
        waited++;
        await pending;
      }
    }
    expect(waited, "writes that had to wait").to.be.greaterThan(0);
    expect(await hash.digest()).to.equal(whole.digest("hex"));
  });

  it("hashes bytes of shared memory in place, answering when done so the writer may reuse them", async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(4 * LOCAL_LIMIT));
    const data = randomBytes(9 * LOCAL_LIMIT + 5);
    const hash = new OffThreadHash("sha256");
    const piece = 2 * LOCAL_LIMIT;
    let inPlace = 0;
    for (let offset = 0; offset < data.length; offset += piece) {
      const part = data.subarray(offset, offset + piece);
      const view = shared.subarray(0, part.length);
      view.set(part);
      const hashed = hash.update(view);
      if (hashed !== undefined) inPlace++;
      await hashed;
      view.fill(0xee); // only after the worker answered
    }
    expect(inPlace, "pieces hashed in place (each is past the first MiB)").to.equal(5);
    expect(await hash.digest()).to.equal(expected("sha256", data));
  });

  it("keeps concurrent hashes apart on the one worker", async () => {
    const inputs = [randomBytes(5 * LOCAL_LIMIT), randomBytes(2 * LOCAL_LIMIT + 3), randomBytes(100)];
    const digests = await Promise.all(inputs.map((data, i) => hashInPieces(i % 2 === 0 ? "sha256" : "md5", data, 300_001)));
    expect(digests).to.deep.equal(inputs.map((data, i) => expected(i % 2 === 0 ? "sha256" : "md5", data)));
  });

  it("refuses updates after digest or dispose", async () => {
    const hash = new OffThreadHash("sha256");
    await hash.update(randomBytes(2 * LOCAL_LIMIT));
    hash.dispose();
    expect(() => hash.update(new Uint8Array(1))).to.throw(/after digest\(\) or dispose\(\)/);
    const done = new OffThreadHash("md5");
    await done.digest();
    expect(() => done.digest()).to.throw(/twice/);
  });

  describe("hashFile", () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "skybutler-hashfile-"));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    for (const size of [0, 1000, LOCAL_LIMIT + 1, 9 * LOCAL_LIMIT + 123]) {
      it(`gives the digests of a ${size}-byte file, whole and in 4 MiB segments`, async () => {
        const data = randomBytes(size);
        const path = join(dir, `f${size}`);
        await writeFile(path, data);
        expect(await hashFile(path, "sha256")).to.deep.equal({ size, segments: [expected("sha256", data)] });
        const segment = 4 * LOCAL_LIMIT;
        const parts = Array.from({ length: Math.max(1, Math.ceil(size / segment)) }, (_, i) => expected("md5", data.subarray(i * segment, (i + 1) * segment)));
        expect(await hashFile(path, "md5", segment)).to.deep.equal({ size, segments: parts });
      });
    }

    it("fails with the filesystem's code for a missing file or a directory", async () => {
      const code = (path: string) => hashFile(path, "md5").then(() => "no error", (e: { code?: string }) => e.code);
      expect(await code(join(dir, "missing"))).to.equal("ENOENT");
      expect(await code(dir)).to.equal("EISDIR");
    });
  });
});

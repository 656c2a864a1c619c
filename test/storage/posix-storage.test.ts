/**
 * What only a POSIX backend has, beyond the Storage conformance suite (test/conformance/storages.test.ts):
 * the file itself as local file, temp files beside the destination, file modes, symlinks to files,
 * sparse files.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat, symlink, truncate, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AlreadyExistsError, NotFoundError, UnsupportedOperationError } from "../../src/errors.js";
import { SYNC_READ_MAX } from "../../src/storage/posix/file-reads.js";
import type { PosixStorage } from "../../src/storage/posix/posix-storage.js";
import { rejection } from "../../src/testing/assertions.js";
import { forBackend } from "../support/backends.js";
import { posixFixture } from "../support/storage-fixtures.js";

forBackend("posix", () => {
  describe("PosixStorage specifics", () => {
    let fx: Awaited<ReturnType<typeof posixFixture>>;
    let s: PosixStorage;
    beforeEach(async () => {
      fx = await posixFixture();
      s = fx.storage as PosixStorage;
    });
    afterEach(() => fx.cleanup());

    it("getLocalFile leases the file itself, and releasing it never deletes the file", async () => {
      await s.write("raw/v1.fits", "pixels");
      const file = await s.getLocalFile("raw/v1.fits");
      expect(file.path).to.equal(join(fx.root, "raw", "v1.fits"));
      await file.release();
      expect(await readFile(join(fx.root, "raw", "v1.fits"), "utf8")).to.equal("pixels");
    });

    it("pending writes are hidden temp files beside the destination; published files get 0o666 minus the umask", async () => {
      const pending = await s.createLocalFile("calexp/v1.fits", { suffix: ".fits" });
      expect(dirname(pending.path)).to.equal(join(fx.root, "calexp"));
      expect(pending.path.split("/").pop()).to.match(/^\.v1\.fits\.[0-9a-f]{16}\.[0-9a-f]{8}-\d+\.tmp\.fits$/);
      await writeFile(pending.path, "x");
      await pending.commit();
      const umask = process.umask();
      expect((await stat(join(fx.root, "calexp", "v1.fits"))).mode & 0o777).to.equal(0o666 & ~umask);
      await s.write("calexp/v2.fits", "y");
      expect((await stat(join(fx.root, "calexp", "v2.fits"))).mode & 0o777).to.equal(0o666 & ~umask);
      expect(await readdir(join(fx.root, "calexp"))).to.deep.equal(["v1.fits", "v2.fits"]);
    });

    it("a key cannot be both an object and a \"directory\" here: UnsupportedOperationError", async () => {
      await s.write("a", "file");
      let err: unknown;
      await s.write("a/b", "below").catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(UnsupportedOperationError);
      await s.write("d/x", "x");
      err = undefined;
      await s.write("d", "over a directory").catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(UnsupportedOperationError);
      expect(await s.read("a", undefined).then(String)).to.equal("file");
      expect(await readdir(fx.root)).to.deep.equal(["a", "d"]);
      expect(await readdir(join(fx.root, "d"))).to.deep.equal(["x"]);
    });

    it("a link to a file placed by the owner is read; writing the key replaces the link, deleting removes the link only", async () => {
      await mkdir(join(fx.sandbox, "elsewhere"));
      const target = join(fx.sandbox, "elsewhere", "raw.fits");
      await writeFile(target, "ingested");
      await mkdir(join(fx.root, "raw"));
      await symlink(target, join(fx.root, "raw", "linked.fits"));
      await symlink(join(fx.sandbox, "elsewhere", "missing"), join(fx.root, "raw", "dangling.fits"));
      expect((await s.read("raw/linked.fits")).toString()).to.equal("ingested");
      expect(await s.exists("raw/dangling.fits")).to.equal(false);
      expect(await collectKeys(s)).to.deep.equal(["raw/linked.fits"]);
      await s.write("raw/linked.fits", "rewritten");
      expect(await readFile(target, "utf8")).to.equal("ingested");
      await symlink(target, join(fx.root, "raw", "again.fits"));
      await s.delete("raw/again.fits");
      expect(await readFile(target, "utf8")).to.equal("ingested");
    });

    it("whole reads: small files synchronously, bigger ones asynchronously, byte for byte on both sides of the limit", async () => {
      for (const size of [0, 1, SYNC_READ_MAX - 1, SYNC_READ_MAX, SYNC_READ_MAX + 1, 3 * SYNC_READ_MAX + 7]) {
        const bytes = Buffer.alloc(size, 0);
        for (let i = 0; i < size; i++) bytes[i] = (i * 31 + size) & 0xff;
        await s.write(`sizes/f${size}`, bytes);
        expect(Buffer.compare(await s.read(`sizes/f${size}`), bytes), `size ${size}`).to.equal(0);
      }
    });

    it("a whole read of a FIFO or a directory at a key is NotFoundError at once (the synchronous open never waits for a writer)", async () => {
      await mkdir(join(fx.root, "odd"), { recursive: true });
      execFileSync("mkfifo", [join(fx.root, "odd", "fifo")]);
      await mkdir(join(fx.root, "odd", "dir"));
      expect(await rejection(s.read("odd/fifo"))).to.be.instanceOf(NotFoundError);
      expect(await rejection(s.read("odd/dir"))).to.be.instanceOf(NotFoundError);
      expect(await rejection(s.read("odd/missing"))).to.be.instanceOf(NotFoundError);
    });

    it("a symlink cycle does not make list loop", async () => {
      await s.write("d/x", "x");
      await symlink(fx.root, join(fx.root, "d", "loop"));
      await symlink(join(fx.root, "d"), join(fx.root, "up"));
      expect(await collectKeys(s)).to.deep.equal(["d/x", "up/x"]);
    });

    it("ranges read only the bytes asked for (a 64 GiB sparse file)", async () => {
      await s.write("sparse.bin", "");
      const path = join(fx.root, "sparse.bin");
      const size = 64 * 1024 ** 3;
      await truncate(path, size);
      const bytes = await s.read("sparse.bin", { offset: size - 10, length: 100 });
      expect(bytes.length).to.equal(10);
      const stream = await s.readStream("sparse.bin", { offset: size - 1000 });
      let got = 0;
      for await (const chunk of stream) got += (chunk as Buffer).length;
      expect(got).to.equal(1000);
    });

    it("an ifAbsent write fails before writing a byte, and leaves no temp file", async () => {
      await s.write("k", "old");
      let pulled = 0;
      async function* source(): AsyncGenerator<Uint8Array> {
        pulled++;
        yield Buffer.alloc(10);
      }
      let err: unknown;
      await s.writeStream("k", source(), { ifAbsent: true }).catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(AlreadyExistsError);
      expect(pulled).to.equal(0);
      expect(await readdir(fx.root)).to.deep.equal(["k"]);
      expect(existsSync(join(fx.root, "k"))).to.equal(true);
    });
  });
});

async function collectKeys(s: PosixStorage): Promise<string[]> {
  const out: string[] = [];
  for await (const k of s.list()) out.push(k);
  return out;
}

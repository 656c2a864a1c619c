import { expect } from "chai";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { TempScope, NotFoundError } from "../../src/testing/index.js";
import { TempLocalFiles } from "../../src/storage/temp-local-files.js";
import { filesBelow } from "../support/hooks.js";

/** An in-process object map standing in for the bytes behind a remote backend's transfer calls. */
function makeFiles(scope: TempScope) {
  const objects = new Map<string, Buffer>([["a.fits", Buffer.from("hello fits")]]);
  const stats = { downloads: 0, uploads: 0 };
  const files = new TempLocalFiles(scope, {
    async download(key, path) {
      stats.downloads++;
      await new Promise((r) => setTimeout(r, 20)); // slow enough for callers to overlap
      const bytes = objects.get(key);
      if (!bytes) throw new NotFoundError(key, "test objects");
      await writeFile(path, bytes);
    },
    async upload(path, key) {
      stats.uploads++;
      objects.set(key, await readFile(path));
    },
  });
  return { files, objects, stats };
}

describe("TempLocalFiles (shared downloads, pending uploads)", () => {
  it("shares one download between concurrent gets and deletes it on the last release", async () => {
    const scope = new TempScope();
    const { files, stats } = makeFiles(scope);
    const leases = await Promise.all([files.get("a.fits"), files.get("a.fits"), files.get("a.fits")]);
    expect(stats.downloads).to.equal(1);
    expect(new Set(leases.map((l) => l.path)).size).to.equal(1);
    expect(leases[0]!.path).to.match(/\.fits$/);
    expect(await readFile(leases[0]!.path, "utf8")).to.equal("hello fits");
    await leases[0]!.release();
    await leases[1]!.release();
    expect(existsSync(leases[2]!.path)).to.equal(true);
    await leases[2]!.release();
    expect(existsSync(leases[2]!.path)).to.equal(false);
    expect(files.cachedKeys).to.deep.equal([]);
    const again = await files.get("a.fits");
    expect(stats.downloads).to.equal(2);
    await again.release();
    await scope.close();
  });

  it("leaves no file after a failed download and raises the backend's error", async () => {
    const scope = new TempScope();
    const { files } = makeFiles(scope);
    let error: unknown;
    await files.get("missing.fits").catch((e) => (error = e));
    expect(error).to.be.instanceOf(NotFoundError);
    expect(filesBelow(process.env.SKYBUTLER_TMPDIR!)).to.deep.equal([]);
    await scope.close();
  });

  it("uploads on commit, deletes on abort and on dispose, and closing the scope deletes held files", async () => {
    const scope = new TempScope();
    const { files, objects, stats } = makeFiles(scope);
    const pending = await files.create("b.fits");
    await writeFile(pending.path, "new");
    await pending.commit();
    expect(objects.get("b.fits")?.toString()).to.equal("new");
    expect(existsSync(pending.path)).to.equal(false);
    {
      await using unused = await files.create("c.fits");
      await writeFile(unused.path, "never uploaded");
    }
    expect(objects.has("c.fits")).to.equal(false);
    expect(stats.uploads).to.equal(1);
    const held = await files.get("a.fits");
    await scope.close();
    expect(existsSync(held.path)).to.equal(false);
    expect(filesBelow(process.env.SKYBUTLER_TMPDIR!)).to.deep.equal([]);
  });
});

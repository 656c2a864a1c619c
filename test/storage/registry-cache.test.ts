/**
 * The registry cache behind `getLocalFile(key, {revalidate: true})` (src/storage/revalidated-file.ts),
 * driven through its fetch callback (the Swift and HTTP storages' use of it runs against real
 * servers in test/conformance/butler-swift.test.ts and test/server/remote-butler.test.ts): copies
 * live in $XDG_CACHE_HOME (the test hooks point it into a private directory), a handed-out copy is a
 * lease that survives eviction, and nothing is ever left in the temp directory.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError, StorageError } from "../../src/errors.js";
import { registryCache, revalidatedLocalFile, type Revalidation } from "../../src/storage/revalidated-file.js";
import { rejection } from "../../src/testing/assertions.js";
import { filesBelow } from "../support/hooks.js";

/** A server's object as the callback sees it; `asked` records the validators sent. */
function origin(initial: { body: string; etag: string | undefined }): { object: { body: string; etag: string | undefined } | undefined; asked: Array<string | undefined>; fetch(etag: string | undefined): Promise<Revalidation> } {
  const o = {
    object: initial as { body: string; etag: string | undefined } | undefined,
    asked: [] as Array<string | undefined>,
    async fetch(etag: string | undefined): Promise<Revalidation> {
      o.asked.push(etag);
      const now = o.object;
      if (now === undefined) throw new NotFoundError("registry.sqlite3", "the test origin");
      if (etag !== undefined && etag === now.etag) return { notModified: true, done: async () => undefined };
      return {
        notModified: false,
        etag: now.etag,
        size: now.body.length,
        async receive(path) {
          await new Promise((r) => setTimeout(r, 20)); // a download takes a while: concurrent opens overlap
          await writeFile(path, now.body);
          return { etag: now.etag, size: now.body.length };
        },
        cancel: async () => undefined,
      };
    },
  };
  return o;
}

const tempFiles = (): string[] => filesBelow(process.env.SKYBUTLER_TMPDIR!);
let counter = 0;
const uniqueId = (): string => `http://origin.test/registry-cache/${process.pid}/${++counter}/registry.sqlite3`;

describe("registry cache (revalidated local files)", () => {
  it("downloads once, revalidates after, shares concurrent opens, and keeps nothing in the temp directory", async () => {
    const id = uniqueId();
    const o = origin({ body: "version 1", etag: "e1" });
    const [a, b] = await Promise.all([revalidatedLocalFile(id, ".sqlite3", o.fetch), revalidatedLocalFile(id, ".sqlite3", o.fetch)]);
    expect(o.asked).to.deep.equal([undefined, "e1"]); // the second open waited and revalidated
    expect(a.path.startsWith(registryCache().dir) && b.path.startsWith(registryCache().dir)).to.equal(true);
    expect(await readFile(b.path, "utf8")).to.equal("version 1");
    expect(tempFiles()).to.deep.equal([]);
    await a.release();
    await b.release();
    expect(existsSync(a.path) || existsSync(b.path), "leases are removed on release").to.equal(false);

    o.object = { body: "version 2, longer", etag: "e2" };
    const c = await revalidatedLocalFile(id, ".sqlite3", o.fetch);
    expect(o.asked.at(-1)).to.equal("e1");
    expect(await readFile(c.path, "utf8")).to.equal("version 2, longer");
    await c.release();
  });

  it("a leased copy outlives its entry; a vanished object drops the entry", async () => {
    const id = uniqueId();
    const o = origin({ body: "kept while leased", etag: "k1" });
    const held = await revalidatedLocalFile(id, ".sqlite3", o.fetch);
    await registryCache().invalidate(id); // as an eviction by another process would
    expect(await readFile(held.path, "utf8")).to.equal("kept while leased");
    o.object = undefined;
    expect(await rejection(revalidatedLocalFile(id, ".sqlite3", o.fetch))).to.be.instanceOf(NotFoundError);
    expect(await registryCache().current(id)).to.equal(undefined);
    await held.release();
  });

  it("an object without an ETag is handed out uncached, in a temp file deleted on release", async () => {
    const id = uniqueId();
    const o = origin({ body: "no validator", etag: undefined });
    const file = await revalidatedLocalFile(id, ".sqlite3", o.fetch);
    expect(tempFiles()).to.have.length(1);
    expect(await readFile(file.path, "utf8")).to.equal("no validator");
    await file.release();
    expect(tempFiles()).to.deep.equal([]);
    await revalidatedLocalFile(id, ".sqlite3", o.fetch).then((f) => f.release());
    expect(o.asked).to.deep.equal([undefined, undefined]); // nothing to revalidate with
  });

  it("a body that is not the version its headers announced is E_CHANGED and is not kept", async () => {
    const id = uniqueId();
    const o = origin({ body: "v", etag: "h1" });
    const liar = async (etag: string | undefined): Promise<Revalidation> => {
      const answer = await o.fetch(etag);
      if (answer.notModified) return answer;
      return { ...answer, receive: async (path) => ({ ...(await answer.receive(path)), etag: "h2" }) };
    };
    const err = await rejection(revalidatedLocalFile(id, ".sqlite3", liar));
    expect(err).to.be.instanceOf(StorageError);
    expect(err.code).to.equal("E_CHANGED");
    expect(await registryCache().current(id)).to.equal(undefined);
    expect((await readdir(join(registryCache().dir, "objects"))).filter((n) => n.endsWith(".tmp"))).to.deep.equal([]);
    expect(tempFiles()).to.deep.equal([]);
  });
});

/**
 * The download cache's bounds and leases (no server needed): least recently used entries go first,
 * by count and by bytes; an evicted file lives on while a caller holds it; clear() deletes the rest.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { DownloadCache, type CachedDownload } from "../../src/storage/download-cache.js";

describe("SwiftStorage download cache", () => {
  async function entry(cache: DownloadCache, size: number, etag = "e"): Promise<CachedDownload> {
    const file = await cache.createFile(".sqlite3");
    await writeFile(file.path, Buffer.alloc(size));
    return { etag, file, size };
  }

  it("keeps at most maxEntries and maxBytes, evicting the least recently used; held files survive eviction", async () => {
    const cache = new DownloadCache({ maxEntries: 2, maxBytes: 1000 });
    const a = await entry(cache, 100);
    const b = await entry(cache, 100);
    const c = await entry(cache, 100);
    cache.store("a", a);
    cache.store("b", b);
    expect(cache.lookup("a")).to.equal(a); // a is now more recent than b
    const held = b.file.acquire();
    cache.store("c", c);
    expect(cache.lookup("b")).to.equal(undefined);
    expect([cache.size, cache.bytes]).to.deep.equal([2, 200]);
    expect(existsSync(b.file.path), "a caller still holds b").to.equal(true);
    await held.release();
    expect(existsSync(b.file.path)).to.equal(false);

    const big = await entry(cache, 850);
    cache.store("big", big); // 100 + 100 + 850 > 1000: the least recently used (a) goes
    expect(cache.lookup("a")).to.equal(undefined);
    expect(existsSync(a.file.path)).to.equal(false);
    expect(cache.lookup("c")).to.equal(c);

    const huge = await entry(cache, 5000);
    const lease = huge.file.acquire();
    cache.store("huge", huge); // larger than the cache: handed out, not kept
    expect(cache.lookup("huge")).to.equal(undefined);
    await lease.release();
    expect(existsSync(huge.file.path)).to.equal(false);

    const replaced = await entry(cache, 10, "new");
    cache.store("c", replaced);
    expect(existsSync(c.file.path), "the replaced copy is deleted").to.equal(false);
    cache.clear();
    expect([cache.size, cache.bytes]).to.deep.equal([0, 0]);
    expect(existsSync(replaced.file.path) || existsSync(big.file.path)).to.equal(false);
  });
});

/**
 * The Storage contract as one suite of `it()`s, run against every backend: PosixStorage,
 * SwiftStorage, S3Storage, vendor modules and every wrapper stack (test/conformance/*.test.ts). Tests go through the {@link Storage} API only, plus the few hooks of
 * {@link StorageFixture} that make a backend-specific situation happen (a refused write, a link).
 *
 * ```ts
 * describeStorageConformance({ name: "PosixStorage", create: async () => ({ storage, cleanup, denyWrite }) });
 * ```
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Readable } from "node:stream";
import {
  AlreadyExistsError,
  ChangedError,
  ClosedError,
  InvalidKeyError,
  NotFoundError,
  PermissionDeniedError,
} from "../errors.js";
import type { Storage } from "../storage/storage.js";

/** A fresh, empty storage for one test, and the hooks that provoke what the API alone cannot. */
export interface StorageFixture {
  /** An open storage over an empty root. */
  storage: Storage;
  /** Closes the storage (if the test did not) and removes everything the fixture made. */
  cleanup(): Promise<void>;
  /**
   * Makes the backend refuse writes and deletes of `key` with its native permission failure
   * (Posix: an immutable or read-only parent directory; Swift: a 403 from the server's container
   * ACL, which covers every key of the container). Reads keep working. Required: the permission
   * test must run on every backend, never be skipped.
   */
  denyWrite(key: string): Promise<void>;
  /**
   * Backends with links (Posix symlinks): makes the top-level `name` a link to a directory outside
   * the root that holds one object, `victim`, with the bytes `outside`.
   */
  linkOutside?(name: string): Promise<void>;
  /**
   * Backends that can look outside the root: every file beside the root in the fixture's sandbox,
   * path → content, to prove that nothing there changed.
   */
  outside?(): Promise<Record<string, string>>;
}

/** What {@link describeStorageConformance} needs: a name for the report and a fixture factory. */
export interface ConformanceOptions {
  name: string;
  create(): Promise<StorageFixture>;
}

const MiB = 1024 * 1024;

/** Invalid keys, each with why: every method must raise InvalidKeyError for all of them. */
const BAD_KEYS = ["", "/", ".", "./", "..", "../x", "a/../../x", "a/..", "/etc/passwd", "a\\b", "a\u0000b", "a\nb", "a\u007fb"];

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Runs `fn` and returns its error, failing the test unless it is an instance of one of `classes`. */
async function failure(fn: () => unknown, ...classes: Array<abstract new (...args: never[]) => Error>): Promise<Error> {
  let error: unknown;
  try {
    await fn();
  } catch (err) {
    error = err;
  }
  expect(error, "expected a rejection").to.be.instanceOf(Error);
  const names = classes.map((c) => c.name).join(" or ");
  expect(classes.some((c) => error instanceof c), `expected ${names}, got ${String(error)}`).to.equal(true);
  return error as Error;
}

async function* chunks(count: number, size: number, fill = (i: number) => i & 0xff): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) yield Buffer.alloc(size, fill(i));
}

/** Byte order of UTF-8 strings, which is what every backend lists in (not JS's UTF-16 order). */
function byteOrder(keys: string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/**
 * Declares the Storage conformance suite for one backend.
 * @param options - the backend's name and a factory of fresh fixtures
 */
export function describeStorageConformance(options: ConformanceOptions): void {
  describe(`Storage conformance: ${options.name}`, function () {
    this.timeout(20_000);
    let fx: StorageFixture;
    let s: Storage;
    let scratch: string; // local files for putLocalFile

    beforeEach(async () => {
      fx = await options.create();
      s = fx.storage;
      scratch = await mkdtemp(join(tmpdir(), "skybutler-conformance-"));
    });

    afterEach(async () => {
      await fx.cleanup();
      await rm(scratch, { recursive: true, force: true });
    });

    // ---------------------------------------------------------------- keys

    it("normalises keys: `a//./b` and `a/b` name the same object", async () => {
      await s.write("a//./b", "x");
      expect(await s.exists("a/b")).to.equal(true);
      expect((await s.read("a/./b")).toString()).to.equal("x");
      expect((await s.stat("a//b")).key).to.equal("a/b");
      expect(await collect(s.list())).to.deep.equal(["a/b"]);
      expect(s.uriOf("a//./b")).to.equal(s.uriOf("a/b"));
      await s.delete("./a/b/");
      expect(await s.exists("a/b")).to.equal(false);
    });

    it("rejects malformed keys with InvalidKeyError on every method and touches nothing", async () => {
      await s.write("ok", "ok");
      const local = join(scratch, "local.bin");
      await writeFile(local, "local");
      const before = await fx.outside?.();
      for (const bad of BAD_KEYS) {
        const calls: Array<[string, () => unknown]> = [
          ["uriOf", () => s.uriOf(bad)],
          ["exists", () => s.exists(bad)],
          ["stat", () => s.stat(bad)],
          ["read", () => s.read(bad)],
          ["readStream", () => s.readStream(bad)],
          ["write", () => s.write(bad, "x")],
          ["writeStream", () => s.writeStream(bad, chunks(1, 10))],
          ["delete", () => s.delete(bad)],
          ["copy from", () => s.copy(bad, "ok2")],
          ["copy to", () => s.copy("ok", bad)],
          ["getLocalFile", () => s.getLocalFile(bad)],
          ["putLocalFile", () => s.putLocalFile(local, bad)],
          ["createLocalFile", () => s.createLocalFile(bad)],
        ];
        for (const [method, call] of calls) {
          const err = await failure(call, InvalidKeyError).catch((e: Error) => {
            throw new Error(`${method}(${JSON.stringify(bad)}): ${e.message}`);
          });
          expect(err).to.have.property("code", "E_INVALID_KEY");
        }
      }
      for (const prefix of ["..", "../x", "/abs", "a/../..", "a\\b", "a\u0000"]) {
        await failure(() => collect(s.list({ prefix })), InvalidKeyError);
      }
      expect(await collect(s.list())).to.deep.equal(["ok"]);
      expect(await fx.outside?.()).to.deep.equal(before);
      expect(await readFile(local, "utf8")).to.equal("local");
    });

    it("never writes through a link that leads out of the root; reads and listings follow it", async () => {
      if (fx.linkOutside === undefined) {
        // No links on this backend: a key is only a name, so "link/x" is an ordinary object.
        await s.write("link/x", "inside");
        expect((await s.read("link/x")).toString()).to.equal("inside");
        expect(await collect(s.list({ prefix: "link/" }))).to.deep.equal(["link/x"]);
        return;
      }
      await fx.linkOutside("link");
      const before = await fx.outside?.();
      expect((await s.read("link/victim")).toString()).to.equal("outside");
      expect(await s.exists("link/victim")).to.equal(true);
      expect(await collect(s.list({ prefix: "link/" }))).to.deep.equal(["link/victim"]);
      await s.write("inside", "in");
      const local = join(scratch, "local.bin");
      await writeFile(local, "local");
      const refused = [InvalidKeyError, PermissionDeniedError];
      await failure(() => s.write("link/new", "x"), ...refused);
      await failure(() => s.write("link/victim", "x"), ...refused);
      await failure(() => s.write("link/sub/deeper", "x"), ...refused);
      await failure(() => s.writeStream("link/new", chunks(2, 10)), ...refused);
      await failure(() => s.copy("inside", "link/new"), ...refused);
      await failure(() => s.putLocalFile(local, "link/new"), ...refused);
      await failure(async () => {
        const pending = await s.createLocalFile("link/new");
        await writeFile(pending.path, "x");
        await pending.commit();
      }, ...refused);
      await failure(() => s.delete("link/victim"), ...refused);
      expect((await s.read("link/victim")).toString()).to.equal("outside");
      expect(await fx.outside?.()).to.deep.equal(before);
    });

    // ---------------------------------------------------------------- exists, stat, missing keys

    it("exists is true for an object only, not for a missing key or a \"directory\"", async () => {
      expect(await s.exists("d/x")).to.equal(false);
      await s.write("d/x", "x");
      expect(await s.exists("d/x")).to.equal(true);
      expect(await s.exists("d")).to.equal(false);
      expect(await s.exists("d/")).to.equal(false);
      expect(await s.exists("d/x/y")).to.equal(false);
    });

    it("stat reports size, modification time and a validator that changes with the content", async () => {
      const t0 = Date.now();
      await s.write("f.bin", Buffer.alloc(1234, 7));
      const info = await s.stat("f.bin");
      expect(info.key).to.equal("f.bin");
      expect(info.size).to.equal(1234);
      expect(info.modified).to.be.instanceOf(Date);
      expect(Math.abs(info.modified.getTime() - t0)).to.be.below(60_000);
      await s.write("f.bin", Buffer.alloc(1235, 8));
      const changed = await s.stat("f.bin");
      expect(changed.size).to.equal(1235);
      if (info.etag !== undefined || changed.etag !== undefined) {
        expect(info.etag).to.be.a("string");
        expect(changed.etag).to.be.a("string").and.not.equal(info.etag);
      }
    });

    it("raises NotFoundError for a missing key from stat, read, readStream, delete, copy and getLocalFile", async () => {
      await s.write("obj", "x");
      for (const key of ["missing", "no/such/dir/x", "obj/below-an-object"]) {
        for (const call of [
          () => s.stat(key),
          () => s.read(key),
          () => s.read(key, { offset: 0, length: 1 }),
          () => s.readStream(key),
          () => s.delete(key),
          () => s.copy(key, "dest"),
          () => s.getLocalFile(key),
        ]) {
          const err = await failure(call, NotFoundError);
          expect(err).to.have.property("code", "E_NOT_FOUND");
        }
      }
      await s.write("dir/inner", "x");
      await failure(() => s.read("dir"), NotFoundError);
      await failure(() => s.stat("dir"), NotFoundError);
      await failure(() => s.delete("dir"), NotFoundError);
      expect(await collect(s.list())).to.deep.equal(["dir/inner", "obj"]);
    });

    // ---------------------------------------------------------------- read

    it("read returns the whole object or a range, clamped to the end", async () => {
      const data = Buffer.from("0123456789");
      await s.write("r", data);
      expect(await s.read("r")).to.deep.equal(data);
      expect((await s.read("r", { offset: 3 })).toString()).to.equal("3456789");
      expect((await s.read("r", { offset: 3, length: 4 })).toString()).to.equal("3456");
      expect((await s.read("r", { offset: 0, length: 10 })).toString()).to.equal("0123456789");
      expect((await s.read("r", { offset: 7, length: 100 })).toString()).to.equal("789");
      expect((await s.read("r", { offset: 4, length: 0 })).length).to.equal(0);
      expect((await s.read("r", { offset: 10 })).length).to.equal(0);
      expect((await s.read("r", { offset: 50, length: 5 })).length).to.equal(0);
      await s.write("empty", "");
      expect((await s.read("empty")).length).to.equal(0);
      expect((await s.read("empty", { offset: 0, length: 5 })).length).to.equal(0);
    });

    it("read and readStream reject a negative or fractional range with RangeError", async () => {
      await s.write("r", "0123456789");
      for (const range of [{ offset: -1 }, { offset: 1.5 }, { offset: 0, length: -1 }, { offset: 0, length: 0.5 }]) {
        await failure(() => s.read("r", range), RangeError);
        await failure(() => s.readStream("r", range), RangeError);
      }
    });

    it("readStream streams the object or a range, and raises NotFoundError before returning", async () => {
      const data = Buffer.alloc(3 * MiB + 17);
      for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
      await s.write("big", data);
      expect((await drain(await s.readStream("big"))).equals(data)).to.equal(true);
      const mid = await drain(await s.readStream("big", { offset: MiB + 5, length: MiB }));
      expect(mid.equals(data.subarray(MiB + 5, 2 * MiB + 5))).to.equal(true);
      const tail = await drain(await s.readStream("big", { offset: 3 * MiB }));
      expect(tail.equals(data.subarray(3 * MiB))).to.equal(true);
      expect((await drain(await s.readStream("big", { offset: 3 * MiB + 10, length: 100 }))).length).to.equal(7);
      expect((await drain(await s.readStream("big", { offset: 10 * MiB }))).length).to.equal(0);
      expect((await drain(await s.readStream("big", { offset: 0, length: 0 }))).length).to.equal(0);
      // the rejection comes from the call itself, not from the first read of the stream
      await failure(() => s.readStream("missing"), NotFoundError);
    });

    // ---------------------------------------------------------------- one version per read

    it("read and readStream with ifMatch: the current validator reads, another raises ChangedError", async () => {
      await s.write("pin/v", "first version");
      const first = (await s.stat("pin/v")).etag;
      expect(first, "a validator to pin to").to.be.a("string");
      expect((await s.read("pin/v", { offset: 6, length: 7, ifMatch: first! })).toString()).to.equal("version");
      expect((await drain(await s.readStream("pin/v", { offset: 0, ifMatch: first! }))).toString()).to.equal("first version");
      await s.write("pin/v", "second version, longer");
      for (const range of [{ offset: 0 }, { offset: 6, length: 7 }, { offset: 3, length: 0 }]) {
        await failure(() => s.read("pin/v", { ...range, ifMatch: first! }), ChangedError);
        await failure(async () => drain(await s.readStream("pin/v", { ...range, ifMatch: first! })), ChangedError);
      }
      expect((await s.read("pin/v", { offset: 0, ifMatch: (await s.stat("pin/v")).etag! })).toString()).to.equal("second version, longer");
    });

    it("a ranged object opened before a replacement reads only the old version or fails with ChangedError, never a mix", async () => {
      const size = 256 * 1024;
      const older = Buffer.alloc(size);
      for (let i = 0; i < size; i++) older[i] = (i * 7 + 1) & 0xff;
      const newer = Buffer.alloc(size + 4096, 0x5a); // another size too: the size read is the old one's
      await s.write("pin/image.fits", older);
      const ranged = await s.openRanged("pin/image.fits");
      expect(ranged.size).to.equal(size);
      expect((await ranged.read(0, 2880)).equals(older.subarray(0, 2880))).to.equal(true);
      await s.write("pin/image.fits", newer);
      let changed = 0;
      for (const [offset, length] of [[2880, 65536], [200_000, 4000], [size - 100, 100], [size - 10, 50]] as const) {
        let bytes: Buffer;
        try {
          bytes = await ranged.read(offset, length);
        } catch (err) {
          expect(err, String(err)).to.be.instanceOf(ChangedError);
          expect((err as ChangedError).code).to.equal("E_CHANGED");
          changed++;
          continue;
        }
        // clamped to the old version's end, and its bytes only
        expect(bytes.equals(older.subarray(offset, offset + length)), `range ${offset}+${length} is the old version's`).to.equal(true);
      }
      expect(changed === 0 || changed === 4, "a version is either still readable or refused, not refused only sometimes").to.equal(true);
      await ranged.close();
      await ranged.close(); // idempotent
      await failure(() => ranged.read(0, 10), ClosedError);
      const fresh = await s.openRanged("pin/image.fits");
      expect(fresh.size).to.equal(newer.length);
      expect((await fresh.read(size, 4096)).equals(newer.subarray(size))).to.equal(true);
      await fresh.close();
      await failure(() => s.openRanged("pin/missing"), NotFoundError);
    });

    // ---------------------------------------------------------------- write

    it("write stores bytes and UTF-8 strings and replaces an existing object", async () => {
      await s.write("t.txt", "héllo ✓");
      expect((await s.read("t.txt")).toString("utf8")).to.equal("héllo ✓");
      expect((await s.stat("t.txt")).size).to.equal(Buffer.byteLength("héllo ✓"));
      const bytes = new Uint8Array([0, 1, 2, 255]);
      await s.write("t.txt", bytes);
      expect([...(await s.read("t.txt"))]).to.deep.equal([0, 1, 2, 255]);
      await s.write("empty", new Uint8Array(0));
      expect(await s.exists("empty")).to.equal(true);
      expect((await s.stat("empty")).size).to.equal(0);
    });

    it("writes with durable: false store the same bytes, atomically, on every write path", async () => {
      await s.write("nd/a.txt", "old", { durable: false });
      await s.write("nd/a.txt", "new", { durable: false });
      await s.writeStream("nd/b.bin", Readable.from([Buffer.from("stream")]), { durable: false });
      await using pending = await s.createLocalFile("nd/c.txt", { durable: false });
      await writeFile(pending.path, "pending");
      await pending.commit();
      expect((await Promise.all(["nd/a.txt", "nd/b.bin", "nd/c.txt"].map((k) => s.read(k)))).map(String)).to.deep.equal(["new", "stream", "pending"]);
      expect(await collect(s.list({ prefix: "nd/" }))).to.deep.equal(["nd/a.txt", "nd/b.bin", "nd/c.txt"]);
    });

    it("writes create the parent \"directories\" as needed", async () => {
      await s.write("a/b/c/d/e.fits", "deep");
      expect((await s.read("a/b/c/d/e.fits")).toString()).to.equal("deep");
      await s.writeStream("x/y/z", chunks(1, 3));
      const pending = await s.createLocalFile("p/q/r");
      await writeFile(pending.path, "r");
      await pending.commit();
      await s.copy("x/y/z", "c1/c2/c3");
      const local = join(scratch, "l");
      await writeFile(local, "l");
      await s.putLocalFile(local, "l1/l2/l3");
      expect(await collect(s.list())).to.deep.equal(["a/b/c/d/e.fits", "c1/c2/c3", "l1/l2/l3", "p/q/r", "x/y/z"]);
    });

    it("write with ifAbsent raises AlreadyExistsError and leaves the old content", async () => {
      await s.write("once", "first", { ifAbsent: true });
      const err = await failure(() => s.write("once", "second", { ifAbsent: true }), AlreadyExistsError);
      expect(err).to.have.property("code", "E_ALREADY_EXISTS");
      expect((await s.read("once")).toString()).to.equal("first");
      await failure(() => s.writeStream("once", chunks(3, 100), { ifAbsent: true }), AlreadyExistsError);
      expect((await s.read("once")).toString()).to.equal("first");
      expect(await collect(s.list())).to.deep.equal(["once"]);
    });

    it("concurrent ifAbsent writes of one key: exactly one wins, the others raise AlreadyExistsError", async () => {
      const writers = Array.from({ length: 8 }, (_, i) => s.write("race", `writer ${i}`.padEnd(64 * 1024, "."), { ifAbsent: true }));
      const results = await Promise.allSettled(writers);
      const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
      expect(won).to.have.length(1);
      for (const r of results) if (r.status === "rejected") expect(r.reason).to.be.instanceOf(AlreadyExistsError);
      expect((await s.read("race")).toString().startsWith(`writer ${won[0]}`)).to.equal(true);
      expect(await collect(s.list())).to.deep.equal(["race"]);
    });

    // ---------------------------------------------------------------- writeStream

    it("writeStream accepts a Readable and an async iterable", async () => {
      await s.writeStream("from-iterable", chunks(4, 1000));
      expect((await s.stat("from-iterable")).size).to.equal(4000);
      expect((await s.read("from-iterable", { offset: 2500, length: 1 }))[0]).to.equal(2);
      await s.writeStream("from-readable", Readable.from(chunks(3, 70_000)));
      expect((await s.stat("from-readable")).size).to.equal(210_000);
      await s.writeStream("from-strings", Readable.from(["ab", "cd"]));
      expect((await s.read("from-strings")).toString()).to.equal("abcd");
      await s.writeStream("from-nothing", chunks(0, 0));
      expect((await s.stat("from-nothing")).size).to.equal(0);
    });

    it("writeStream keeps memory flat: a 256 MiB stream does not grow memory by its size", async () => {
      const count = 256;
      const baseline = process.memoryUsage();
      let buffers = 0;
      let rss = 0;
      async function* source(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < count; i++) {
          const m = process.memoryUsage();
          buffers = Math.max(buffers, m.arrayBuffers - baseline.arrayBuffers);
          rss = Math.max(rss, m.rss - baseline.rss);
          yield Buffer.alloc(MiB, i & 0xff);
        }
      }
      await s.writeStream("huge", source());
      expect((await s.stat("huge")).size).to.equal(count * MiB);
      expect([...(await s.read("huge", { offset: 200 * MiB + 5, length: 2 }))]).to.deep.equal([200, 200]);
      // The bytes held at once (Buffers not yet collected included) stay well below the stream's
      // size; the process's RSS, which also counts heap the collector has not returned yet (noisy
      // late in a long run), stays below the size too.
      expect(buffers, `Buffer memory grew by ${(buffers / MiB).toFixed(0)} MiB`).to.be.below(128 * MiB);
      expect(rss, `RSS grew by ${(rss / MiB).toFixed(0)} MiB`).to.be.below(count * MiB * 0.75);
    });

    it("a failing source rejects writeStream with the source's own error and leaves the old object", async () => {
      await s.write("k", "old");
      const broken = new Error("the source broke");
      async function* source(): AsyncGenerator<Uint8Array> {
        yield Buffer.alloc(MiB, 1);
        yield Buffer.alloc(MiB, 2);
        throw broken;
      }
      let caught: unknown;
      await s.writeStream("k", source()).catch((e: unknown) => (caught = e));
      expect(caught).to.equal(broken);
      const readable = new Readable({ read() {} });
      readable.push(Buffer.alloc(1000));
      setImmediate(() => readable.destroy(new Error("stream destroyed")));
      await failure(() => s.writeStream("k", readable), Error);
      await failure(() => s.writeStream("fresh/new", source()), Error);
      expect((await s.read("k")).toString()).to.equal("old");
      expect(await s.exists("fresh/new")).to.equal(false);
      expect(await collect(s.list())).to.deep.equal(["k"]);
      expect(await collect(s.list({ shallow: true }))).to.deep.equal(["k"]);
    });

    // ---------------------------------------------------------------- delete

    it("delete removes the object (and an emptied \"directory\"); a missing key raises NotFoundError", async () => {
      await s.write("dir/a", "a");
      await s.write("dir/sub/b", "b");
      await s.delete("dir/a");
      expect(await s.exists("dir/a")).to.equal(false);
      await failure(() => s.delete("dir/a"), NotFoundError);
      await s.delete("dir/sub/b");
      expect(await collect(s.list())).to.deep.equal([]);
      expect(await collect(s.list({ shallow: true }))).to.deep.equal([]);
      await s.write("dir", "now a plain object");
      expect((await s.read("dir")).toString()).to.equal("now a plain object");
    });

    // ---------------------------------------------------------------- list

    it("list yields every key in ascending UTF-8 byte order", async () => {
      const keys = ["b", "a0", "a/c/d", "a.b", "a/b", "a-b", "a\uFF5E", "a\u{1F600}", "B", "a/b0", "a/b.x"];
      for (const k of keys) await s.write(k, k);
      const listed = await collect(s.list());
      expect(listed).to.deep.equal(byteOrder(keys));
      // U+FF5E sorts before U+1F600 in UTF-8, after it in JS's UTF-16 order
      expect(listed.indexOf("a\uFF5E")).to.be.below(listed.indexOf("a\u{1F600}"));
    });

    it("list filters by a prefix that need not be a whole segment", async () => {
      for (const k of ["raw/v1.fits", "raw/v10.fits", "raw/v2.fits", "raw/sub/v1.fits", "rawdata", "calexp/v1.fits"]) await s.write(k, k);
      expect(await collect(s.list({ prefix: "raw" }))).to.deep.equal(["raw/sub/v1.fits", "raw/v1.fits", "raw/v10.fits", "raw/v2.fits", "rawdata"]);
      expect(await collect(s.list({ prefix: "raw/" }))).to.deep.equal(["raw/sub/v1.fits", "raw/v1.fits", "raw/v10.fits", "raw/v2.fits"]);
      expect(await collect(s.list({ prefix: "raw/v1" }))).to.deep.equal(["raw/v1.fits", "raw/v10.fits"]);
      expect(await collect(s.list({ prefix: "raw/s" }))).to.deep.equal(["raw/sub/v1.fits"]);
      expect(await collect(s.list({ prefix: "raw//v2" }))).to.deep.equal(["raw/v2.fits"]);
      expect(await collect(s.list({ prefix: "raw/v1.fits" }))).to.deep.equal(["raw/v1.fits"]);
      expect(await collect(s.list({ prefix: "" }))).to.have.length(6);
    });

    it("list with shallow rolls keys below the next \"/\" up into \"dir/\" entries", async () => {
      for (const k of ["a/x", "a/y/z", "a.txt", "b/c/d/e", "c", "a0/q"]) await s.write(k, k);
      expect(await collect(s.list({ shallow: true }))).to.deep.equal(["a.txt", "a/", "a0/", "b/", "c"]);
      expect(await collect(s.list({ prefix: "a/", shallow: true }))).to.deep.equal(["a/x", "a/y/"]);
      expect(await collect(s.list({ prefix: "a", shallow: true }))).to.deep.equal(["a.txt", "a/", "a0/"]);
      expect(await collect(s.list({ prefix: "b/", shallow: true }))).to.deep.equal(["b/c/"]);
      expect(await collect(s.list({ prefix: "b/c/d/", shallow: true }))).to.deep.equal(["b/c/d/e"]);
    });

    it("list of a missing prefix is empty", async () => {
      await s.write("x/y", "1");
      expect(await collect(s.list({ prefix: "nothing/" }))).to.deep.equal([]);
      expect(await collect(s.list({ prefix: "nothing" }))).to.deep.equal([]);
      expect(await collect(s.list({ prefix: "x/y/z" }))).to.deep.equal([]);
      expect(await collect(s.list({ prefix: "x/y/", shallow: true }))).to.deep.equal([]);
      expect(await collect(s.list({ prefix: "zzz", shallow: true }))).to.deep.equal([]);
    });

    it("list never shows pending writes: a stream in flight or an uncommitted local file", async () => {
      await s.write("done/a", "a");
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let started!: () => void;
      const halfway = new Promise<void>((r) => (started = r));
      async function* source(): AsyncGenerator<Uint8Array> {
        yield Buffer.alloc(2 * MiB, 1);
        started();
        await gate;
        yield Buffer.alloc(10, 2);
      }
      const writing = s.writeStream("inflight/stream", source());
      await halfway;
      const pending = await s.createLocalFile("inflight/local");
      await writeFile(pending.path, "local");
      const pendingCopy = await s.createLocalFile("done/b");
      await writeFile(pendingCopy.path, "b");
      expect(await collect(s.list())).to.deep.equal(["done/a"]);
      expect(await collect(s.list({ shallow: true }))).to.deep.equal(["done/"]);
      expect(await collect(s.list({ prefix: "done/", shallow: true }))).to.deep.equal(["done/a"]);
      expect(await s.exists("inflight/stream")).to.equal(false);
      expect(await s.exists("inflight/local")).to.equal(false);
      release();
      await writing;
      await pending.commit();
      await pendingCopy.abort();
      expect(await collect(s.list())).to.deep.equal(["done/a", "inflight/local", "inflight/stream"]);
    });

    // ---------------------------------------------------------------- copy

    it("copy duplicates an object; the copy is independent of its source", async () => {
      await s.write("src/a", "original");
      await s.copy("src/a", "dst/b");
      expect((await s.read("dst/b")).toString()).to.equal("original");
      await s.write("src/a", "changed");
      expect((await s.read("dst/b")).toString()).to.equal("original");
      await s.copy("src/a", "dst/b");
      expect((await s.read("dst/b")).toString()).to.equal("changed");
      await s.copy("src/a", "src/a");
      expect((await s.read("src/a")).toString()).to.equal("changed");
      expect(await collect(s.list())).to.deep.equal(["dst/b", "src/a"]);
    });

    it("copy of a missing source raises NotFoundError; ifAbsent raises AlreadyExistsError", async () => {
      await failure(() => s.copy("missing", "dst"), NotFoundError);
      expect(await s.exists("dst")).to.equal(false);
      await s.write("a", "a");
      await s.write("b", "b");
      await failure(() => s.copy("a", "b", { ifAbsent: true }), AlreadyExistsError);
      expect((await s.read("b")).toString()).to.equal("b");
      await s.copy("a", "c", { ifAbsent: true });
      expect((await s.read("c")).toString()).to.equal("a");
    });

    // ---------------------------------------------------------------- local files

    it("getLocalFile gives a lease whose path holds the bytes; release is idempotent", async () => {
      await s.write("lf/data.bin", Buffer.from([1, 2, 3, 4]));
      const first = await s.getLocalFile("lf//data.bin");
      expect([...(await readFile(first.path))]).to.deep.equal([1, 2, 3, 4]);
      const second = first.retain();
      const third = await s.getLocalFile("lf/data.bin");
      expect(first.released).to.equal(false);
      await first.release();
      await first.release();
      expect(first.released).to.equal(true);
      expect([...(await readFile(second.path))]).to.deep.equal([1, 2, 3, 4]);
      await second.release();
      expect([...(await readFile(third.path))]).to.deep.equal([1, 2, 3, 4]);
      await third.release();
      // releasing a lease never touches the object
      expect(await s.exists("lf/data.bin")).to.equal(true);
      expect([...(await s.read("lf/data.bin"))]).to.deep.equal([1, 2, 3, 4]);
    });

    it("getLocalFile with revalidate gives the current bytes, also after the object was replaced", async () => {
      await s.write("lf/registry.sqlite3", "first");
      const first = await s.getLocalFile("lf/registry.sqlite3", { revalidate: true });
      expect(await readFile(first.path, "utf8")).to.equal("first");
      await first.release();
      const again = await s.getLocalFile("lf/registry.sqlite3", { revalidate: true });
      expect(await readFile(again.path, "utf8")).to.equal("first");
      await again.release();
      await s.write("lf/registry.sqlite3", "second, longer");
      const changed = await s.getLocalFile("lf/registry.sqlite3", { revalidate: true });
      expect(await readFile(changed.path, "utf8")).to.equal("second, longer");
      await changed.release();
    });

    // ---------------------------------------------------------------- capabilities

    it("declares its capabilities, and each one it claims works", async () => {
      const caps = s.capabilities;
      for (const name of ["localPath", "metadata", "rangedRead"] as const) expect(caps[name], name).to.be.a("boolean");
      await s.write("cap/x.fits", "0123456789");
      if (caps.localPath) {
        // the object's own file: what a writer changes is the object
        const local = await s.getLocalFile("cap/x.fits");
        expect(s.uriOf("cap/x.fits")).to.equal(pathToFileURL(local.path).href);
        await local.release();
      }
      expect(typeof s.getMetadata === "function" && typeof s.setMetadata === "function", "metadata methods").to.equal(caps.metadata);
      if (caps.metadata) {
        await s.setMetadata!("cap/x.fits", { origin: "test", "kind-of": "image" });
        expect(await s.getMetadata!("cap/x.fits")).to.deep.equal({ origin: "test", "kind-of": "image" });
        expect((await s.read("cap/x.fits")).toString(), "content untouched").to.equal("0123456789");
      }
      if (caps.rangedRead) expect((await s.read("cap/x.fits", { offset: 3, length: 4 })).toString()).to.equal("3456");
    });

    it("putLocalFile stores a local file and leaves the file in place", async () => {
      const local = join(scratch, "frame.fits");
      const data = Buffer.alloc(300_000, 9);
      await writeFile(local, data);
      await s.putLocalFile(local, "put/frame.fits");
      expect((await s.read("put/frame.fits")).equals(data)).to.equal(true);
      expect((await readFile(local)).equals(data)).to.equal(true);
      await writeFile(local, "changed later");
      expect((await s.read("put/frame.fits")).equals(data)).to.equal(true);
    });

    it("putLocalFile of a missing local file raises NotFoundError; ifAbsent raises AlreadyExistsError", async () => {
      const missing = await failure(() => s.putLocalFile(join(scratch, "no-such-file"), "put/x"), NotFoundError);
      expect(missing.message, "the message names the local file").to.include(join(scratch, "no-such-file"));
      expect(await s.exists("put/x")).to.equal(false);
      const local = join(scratch, "l");
      await writeFile(local, "new");
      await s.write("put/x", "old");
      await failure(() => s.putLocalFile(local, "put/x", { ifAbsent: true }), AlreadyExistsError);
      expect((await s.read("put/x")).toString()).to.equal("old");
      expect(await collect(s.list())).to.deep.equal(["put/x"]);
    });

    it("createLocalFile publishes on commit only, keeping the old content until then", async () => {
      const pending = await s.createLocalFile("c/new.fits", { suffix: ".fits" });
      expect(pending.path.endsWith(".fits")).to.equal(true);
      await writeFile(pending.path, "new content");
      expect(await s.exists("c/new.fits")).to.equal(false);
      await pending.commit();
      expect((await s.read("c/new.fits")).toString()).to.equal("new content");
      expect(existsSync(pending.path), "the pending path lingers after commit").to.equal(false);
      await pending.abort(); // no-op after commit
      expect(await s.exists("c/new.fits")).to.equal(true);

      const replace = await s.createLocalFile("c/new.fits");
      await writeFile(replace.path, "replacement");
      expect((await s.read("c/new.fits")).toString()).to.equal("new content");
      await replace.commit();
      expect((await s.read("c/new.fits")).toString()).to.equal("replacement");
      expect(await collect(s.list())).to.deep.equal(["c/new.fits"]);
    });

    it("createLocalFile abort (or `await using` without commit) leaves nothing", async () => {
      const pending = await s.createLocalFile("ab/x");
      await writeFile(pending.path, "x");
      await pending.abort();
      await pending.abort();
      expect(existsSync(pending.path)).to.equal(false);
      expect(await s.exists("ab/x")).to.equal(false);
      let path: string;
      {
        await using scoped = await s.createLocalFile("ab/y");
        path = scoped.path;
        await writeFile(scoped.path, "y");
      }
      expect(existsSync(path)).to.equal(false);
      expect(await s.exists("ab/y")).to.equal(false);
      {
        await using committed = await s.createLocalFile("ab/z");
        await writeFile(committed.path, "z");
        await committed.commit();
      }
      expect((await s.read("ab/z")).toString()).to.equal("z");
      await s.delete("ab/z");
      expect(await collect(s.list({ shallow: true }))).to.deep.equal([]);
    });

    it("createLocalFile with ifAbsent is checked at commit", async () => {
      const pending = await s.createLocalFile("ia/x", { ifAbsent: true });
      await writeFile(pending.path, "late");
      await s.write("ia/x", "first");
      await failure(() => pending.commit(), AlreadyExistsError);
      expect((await s.read("ia/x")).toString()).to.equal("first");
      expect(existsSync(pending.path)).to.equal(false);
      await failure(async () => {
        const again = await s.createLocalFile("ia/x", { ifAbsent: true });
        await writeFile(again.path, "again");
        await again.commit();
      }, AlreadyExistsError);
      expect(await collect(s.list())).to.deep.equal(["ia/x"]);
    });

    // ---------------------------------------------------------------- permissions

    it("a refused write or delete raises PermissionDeniedError and leaves the old object", async () => {
      await s.write("locked/a", "old");
      await s.write("open/b", "b");
      const local = join(scratch, "l");
      await writeFile(local, "new");
      await fx.denyWrite("locked/a");
      for (const call of [
        () => s.write("locked/a", "new"),
        () => s.writeStream("locked/a", chunks(2, 1000)),
        () => s.copy("open/b", "locked/a"),
        () => s.putLocalFile(local, "locked/a"),
        () => s.delete("locked/a"),
        async () => {
          const pending = await s.createLocalFile("locked/a");
          await writeFile(pending.path, "new");
          await pending.commit();
        },
      ]) {
        const err = await failure(call, PermissionDeniedError);
        expect(err).to.have.property("code", "E_PERMISSION_DENIED");
      }
      expect((await s.read("locked/a")).toString()).to.equal("old");
      expect(await collect(s.list())).to.deep.equal(["locked/a", "open/b"]);
      // reads keep working; whether other keys stay writable depends on the backend's unit of
      // permission (Posix: a directory; Swift: a container ACL), so the contract does not say
      expect((await s.read("open/b")).toString()).to.equal("b");
    });

    // ---------------------------------------------------------------- statistics and availability

    it("statistics reports a capacity (or null) and, asked to count, the objects and bytes below the root", async () => {
      const plain = await s.statistics();
      if (plain.capacity !== null) {
        const { total, used, free } = plain.capacity;
        for (const n of [total, used, free]) expect(n).to.be.a("number").and.at.least(0);
        expect(used).to.be.at.most(total);
        expect(free).to.be.at.most(total);
      }
      await s.write("st/a", Buffer.alloc(1000, 1));
      await s.write("st/b/c", Buffer.alloc(234, 2));
      await s.write("st/empty", "");
      const counted = await s.statistics({ count: true });
      expect(counted.objects).to.equal(3);
      expect(counted.bytes).to.equal(1234);
      await s.delete("st/a");
      const after = await s.statistics({ count: true });
      expect([after.objects, after.bytes]).to.deep.equal([2, 234]);
    });

    it("available is true only for an existing object with the expected size and etag", async () => {
      await s.write("av/x", "0123456789");
      const { etag } = await s.stat("av/x");
      expect(await s.available("av/x")).to.equal(true);
      expect(await s.available("av/x", { size: 10 })).to.equal(true);
      expect(await s.available("av/x", { size: 11 })).to.equal(false);
      if (etag !== undefined) {
        expect(await s.available("av/x", { size: 10, etag })).to.equal(true);
        expect(await s.available("av/x", { etag: `${etag}-other` })).to.equal(false);
      }
      expect(await s.available("av/missing")).to.equal(false);
      expect(await s.available("av")).to.equal(false);
      await failure(() => s.available("../x"), InvalidKeyError);
    });

    // ---------------------------------------------------------------- lifecycle and URIs

    it("after close every method raises ClosedError; close is idempotent", async () => {
      await s.write("k", "v");
      const local = join(scratch, "l");
      await writeFile(local, "l");
      await s.close();
      await s.close();
      const calls: Array<() => unknown> = [
        () => s.uriOf("k"),
        () => s.exists("k"),
        () => s.stat("k"),
        () => s.read("k"),
        () => s.readStream("k"),
        () => s.openRanged("k"),
        () => s.write("k", "x"),
        () => s.writeStream("k", chunks(1, 1)),
        () => s.delete("k"),
        () => collect(s.list()),
        () => s.copy("k", "k2"),
        () => s.getLocalFile("k"),
        () => s.putLocalFile(local, "k"),
        () => s.createLocalFile("k"),
        () => s.statistics(),
        () => s.available("k"),
      ];
      for (const call of calls) expect(await failure(call, ClosedError)).to.have.property("code", "E_CLOSED");
    });

    it("close discards the files of uncommitted pending writes", async () => {
      const pending = await s.createLocalFile("pc/x");
      await writeFile(pending.path, "x");
      await s.close();
      expect(existsSync(pending.path)).to.equal(false);
      await pending.abort();
    });

    it("uri has no trailing slash and uriOf(key) is the uri, a slash and the normalised key", async () => {
      expect(s.uri.startsWith(`${s.scheme}:`)).to.equal(true);
      expect(s.uri.endsWith("/")).to.equal(false);
      expect(s.uriOf("raw/v1.fits")).to.equal(`${s.uri}/raw/v1.fits`);
      expect(s.uriOf("raw//./v1.fits")).to.equal(`${s.uri}/raw/v1.fits`);
      expect(s.uriOf("missing/key")).to.equal(`${s.uri}/missing/key`);
    });
  });
}

/**
 * skybutler:checksum and skybutler:encrypt against damage: the bytes they stored are changed
 * behind their back in the PosixStorage below (one flipped byte anywhere, a truncation), and every
 * read that touches the damage — ranged reads included — must raise IntegrityError; reads that do
 * not touch it still work. Plus encrypt's keys: rotation, a missing key, bad key material.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, IntegrityError } from "../../src/errors.js";
import { storageFromUri } from "../../src/storage/schemes.js";
import type { Storage } from "../../src/storage/storage.js";
import { modulesSandbox, type ModulesSandbox } from "../support/module-stacks.js";

const CHUNK = 4096;

async function rejects(fn: () => Promise<unknown>, cls: abstract new (...args: never[]) => Error): Promise<Error> {
  let error: unknown;
  try {
    await fn();
  } catch (err) {
    error = err;
  }
  expect(error, "expected a rejection").to.be.instanceOf(cls);
  return error as Error;
}

async function flipByte(path: string, offset: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[offset] = bytes[offset]! ^ 0x01;
  await writeFile(path, bytes);
}

for (const kind of ["checksum", "encrypt"] as const) {
  describe(`skybutler:${kind} against damage`, () => {
    let box: ModulesSandbox;
    let s: Storage;
    let file: string;
    const data = randomBytes(5 * CHUNK + 100);

    beforeEach(async () => {
      box = await modulesSandbox((dir) => ({
        wrapped: { module: `skybutler:${kind}`, args: { over: pathToFileURL(join(dir, "below")).href, chunkSize: CHUNK, keyFile: "key.hex" } },
      }));
      await writeFile(join(box.sandbox, "key.hex"), randomBytes(32).toString("hex"));
      s = await storageFromUri("wrapped://r", { create: true });
      await s.write("obj", data);
      file = join(box.sandbox, "below", "r", "obj");
    });
    afterEach(async () => {
      await s.close();
      await box.cleanup();
    });

    it("reads back what it stored, whole and in ranges, and never stores the caller's bytes as they are", async () => {
      expect((await s.read("obj")).equals(data)).to.equal(true);
      expect((await s.read("obj", { offset: CHUNK - 3, length: 2 * CHUNK })).equals(data.subarray(CHUNK - 3, 3 * CHUNK - 3))).to.equal(true);
      const stored = await readFile(file);
      expect(stored.length).to.be.above(data.length);
      if (kind === "encrypt") expect(stored.includes(data.subarray(0, 64)), "plaintext visible below").to.equal(false);
    });

    it("one flipped byte in any part of the stored object is an IntegrityError for every read that covers it", async () => {
      const size = (await readFile(file)).length;
      // the first bytes, a middle chunk, the last data bytes and the very end (tags, hashes, footer)
      for (const offset of [0, 10, 2 * CHUNK + 7, data.length - 1, size - 40, size - 1]) {
        await s.write("obj", data);
        await flipByte(file, offset);
        await rejects(async () => {
          await s.read("obj");
        }, IntegrityError);
      }
    });

    it("a flipped byte in one chunk fails ranged reads of that chunk only", async () => {
      const header = kind === "encrypt" ? (await readFile(file)).length - data.length - 16 * 6 : 0;
      await flipByte(file, header + 3 * (CHUNK + (kind === "encrypt" ? 16 : 0)) + 5);
      await rejects(() => s.read("obj", { offset: 3 * CHUNK + 100, length: 10 }), IntegrityError);
      const stream = await s.readStream("obj");
      const got: Buffer[] = [];
      await rejects(async () => {
        for await (const chunk of stream) got.push(chunk as Buffer);
      }, IntegrityError);
      // bytes before the damaged chunk may have been delivered, never a byte of it
      expect(Buffer.concat(got).length).to.be.at.most(3 * CHUNK);
      expect((await s.read("obj", { offset: 0, length: 2 * CHUNK })).equals(data.subarray(0, 2 * CHUNK))).to.equal(true);
      expect((await s.read("obj", { offset: 4 * CHUNK })).equals(data.subarray(4 * CHUNK))).to.equal(true);
    });

    it("a truncated object is an IntegrityError, also when cut at a chunk boundary", async () => {
      const size = (await readFile(file)).length;
      for (const cut of [size - 1, size - 200, kind === "encrypt" ? size - (100 + 16) : 2 * CHUNK]) {
        await s.write("obj", data);
        await truncate(file, cut);
        await rejects(() => s.read("obj"), IntegrityError);
      }
    });
  });
}

describe("skybutler:encrypt keys", () => {
  let box: ModulesSandbox;
  const data = Buffer.from("calibrated pixels ".repeat(1000));

  beforeEach(async () => {
    box = await modulesSandbox(() => ({}));
    await writeFile(join(box.sandbox, "old.hex"), randomBytes(32).toString("hex"));
    await writeFile(join(box.sandbox, "new.key"), randomBytes(32));
  });
  afterEach(() => box.cleanup());

  const entry = (box: ModulesSandbox, args: Record<string, unknown>) => ({ module: "skybutler:encrypt", args: { over: pathToFileURL(join(box.sandbox, "below")).href, ...args } });

  it("rotates keys: objects written with the old key are read with previousKeys, new ones use the new key", async () => {
    await box.write({ enc: entry(box, { keyFile: "old.hex", keyId: "2026-a" }) });
    let s = await storageFromUri("enc://r", { create: true });
    await s.write("old", data);
    await s.close();
    await box.write({ enc: entry(box, { keyFile: "new.key", keyId: "2026-b", previousKeys: [{ keyFile: "old.hex", keyId: "2026-a" }] }) });
    s = await storageFromUri("enc://r");
    await s.write("new", data);
    expect((await s.read("old")).equals(data)).to.equal(true);
    expect((await s.read("new")).equals(data)).to.equal(true);
    expect((await readFile(join(box.sandbox, "below", "r", "new"))).includes(Buffer.from("2026-b"))).to.equal(true);
    await s.close();
    // without the old key, the old object is refused, not garbage
    await box.write({ enc: entry(box, { keyFile: "new.key", keyId: "2026-b" }) });
    s = await storageFromUri("enc://r");
    const err = await rejects(() => s.read("old"), IntegrityError);
    expect(err.message).to.include("2026-a").and.include("previousKeys");
    await s.close();
  });

  it("takes the key from an environment variable; bad or missing key material is a ConfigError that never shows it", async () => {
    const key = randomBytes(32).toString("base64");
    process.env.SKYBUTLER_TEST_KEY = key;
    try {
      await box.write({ enc: entry(box, { keyEnv: "SKYBUTLER_TEST_KEY" }) });
      const s = await storageFromUri("enc://r", { create: true });
      await s.write("x", "secret data");
      expect((await s.read("x")).toString()).to.equal("secret data");
      await s.close();
      process.env.SKYBUTLER_TEST_KEY = "too-short-but-secret";
      await box.write({ enc: entry(box, { keyEnv: "SKYBUTLER_TEST_KEY" }) });
      const bad = await rejects(() => storageFromUri("enc://r"), ConfigError);
      expect(bad.message).to.include('"enc"').and.not.include("too-short-but-secret");
      await box.write({ enc: entry(box, { keyFile: "missing.hex" }) });
      expect((await rejects(() => storageFromUri("enc://r"), ConfigError)).message).to.include("missing.hex");
      await box.write({ enc: entry(box, {}) });
      expect((await rejects(() => storageFromUri("enc://r"), ConfigError)).message).to.include("keyFile");
    } finally {
      delete process.env.SKYBUTLER_TEST_KEY;
    }
  });
});

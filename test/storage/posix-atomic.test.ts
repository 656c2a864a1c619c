/**
 * PosixStorage writes are atomic even when the writer dies: a child process writing a large object
 * is SIGKILLed at different moments, and the destination must then hold exactly the old content or
 * the complete new one — never a partial file. Failed writes must not leave temp files behind.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { open, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { AlreadyExistsError } from "../../src/errors.js";
import { PosixStorage } from "../../src/storage/posix/posix-storage.js";

const MiB = 1024 * 1024;
const OLD_MIB = 3;
const OLD_BYTE = 0xaa;
/** Byte of chunk `i` of the new content (never OLD_BYTE, so old and new cannot be confused). */
const newByte = (i: number): number => (i * 7 + 1) % 0xa0;

const storageModule = pathToFileURL(join(process.cwd(), "src/storage/posix/posix-storage.ts")).href;

/**
 * The writer: `stream` mode feeds writeStream from a slow generator, `local` mode fills a
 * createLocalFile by path and commits. It reports progress on stdout so the parent can kill it at
 * chosen moments: `P <mib>` per MiB, `END` once all bytes are handed over, `DONE` after publishing.
 */
const CHILD = `
import { open } from "node:fs/promises";
import { setImmediate as tick } from "node:timers/promises";
const { PosixStorage } = await import(${JSON.stringify(storageModule)});
const [root, mode, mib] = process.argv.slice(1);
const total = Number(mib);
const MiB = 1024 * 1024;
const newByte = ${newByte.toString()};
const storage = await PosixStorage.open(root);
if (mode === "stream") {
  async function* source() {
    for (let i = 0; i < total; i++) {
      process.stdout.write("P " + i + "\\n");
      yield Buffer.alloc(MiB, newByte(i));
      await tick();
    }
    process.stdout.write("END\\n");
  }
  await storage.writeStream("obj/data.bin", source());
} else {
  const pending = await storage.createLocalFile("obj/data.bin");
  const handle = await open(pending.path, "w");
  for (let i = 0; i < total; i++) {
    process.stdout.write("P " + i + "\\n");
    await handle.write(Buffer.alloc(MiB, newByte(i)));
    await tick();
  }
  await handle.close();
  process.stdout.write("END\\n");
  await pending.commit();
}
process.stdout.write("DONE\\n");
`;

type KillAt = { progress: number } | "end" | { afterMs: number } | "never";

/** Runs the writer and SIGKILLs it at the chosen moment; resolves with the last line it printed. */
function runWriter(root: string, mode: "stream" | "local", mib: number, killAt: KillAt): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", CHILD, root, mode, String(mib)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let last = "";
    const kill = (): void => void child.kill("SIGKILL");
    if (typeof killAt === "object" && "afterMs" in killAt) setTimeout(kill, killAt.afterMs);
    createInterface({ input: child.stdout }).on("line", (line) => {
      last = line;
      if (killAt === "end" && line === "END") kill();
      if (typeof killAt === "object" && "progress" in killAt && line === `P ${killAt.progress}`) kill();
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (killAt === "never" && code !== 0) reject(new Error(`writer failed with ${code ?? signal}`));
      else resolve(last);
    });
  });
}

/** What the destination holds: the old object, the complete new one, or something else. */
async function classify(path: string, newMib: number): Promise<"old" | "new" | string> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const expect = (i: number): number => (size === OLD_MIB * MiB ? OLD_BYTE : newByte(i));
    if (size !== OLD_MIB * MiB && size !== newMib * MiB) return `partial (${size} bytes)`;
    const chunk = Buffer.alloc(MiB);
    for (let i = 0; i < size / MiB; i++) {
      await handle.read(chunk, 0, MiB, i * MiB);
      if (!chunk.equals(Buffer.alloc(MiB, expect(i)))) return `corrupt at MiB ${i}`;
    }
    return size === OLD_MIB * MiB ? "old" : "new";
  } finally {
    await handle.close();
  }
}

describe("PosixStorage atomic writes", function () {
  this.timeout(60_000);
  let sandbox: string;
  let storage: PosixStorage;

  beforeEach(async () => {
    sandbox = await mkdtemp(join(tmpdir(), "skybutler-atomic-"));
    storage = await PosixStorage.open(sandbox);
    await storage.write("obj/data.bin", Buffer.alloc(OLD_MIB * MiB, OLD_BYTE));
  });
  afterEach(async () => {
    await storage.close();
    await rm(sandbox, { recursive: true, force: true });
  });

  async function listed(): Promise<string[]> {
    const out: string[] = [];
    for await (const key of storage.list()) out.push(key);
    return out;
  }

  it("a writer SIGKILLed at any moment of a 200 MiB writeStream leaves the old object or the new one, never a partial", async () => {
    const dest = join(sandbox, "obj", "data.bin");
    const moments: KillAt[] = [{ progress: 2 }, { progress: 90 }, { progress: 199 }, "end", { afterMs: 700 }];
    for (const moment of moments) {
      const last = await runWriter(sandbox, "stream", 200, moment);
      const state = await classify(dest, 200);
      expect(state, `killed at ${JSON.stringify(moment)} (last line "${last}")`).to.be.oneOf(["old", "new"]);
      // before the last byte was handed over nothing can have been published
      if (last.startsWith("P ")) expect(state, `killed at ${JSON.stringify(moment)}`).to.equal("old");
      // a killed writer cannot remove its temp file, but listings never show it
      expect(await listed()).to.deep.equal(["obj/data.bin"]);
    }
    // killed before handing over all bytes: the old content, certainly
    await runWriter(sandbox, "stream", 200, { progress: 50 });
    expect(await classify(dest, 200)).to.equal("old");
    // and a writer left alone publishes the whole new object
    await runWriter(sandbox, "stream", 40, "never");
    expect(await classify(dest, 40)).to.equal("new");
    expect(await listed()).to.deep.equal(["obj/data.bin"]);
  });

  it("a writer SIGKILLed while filling a createLocalFile leaves the old object", async () => {
    const dest = join(sandbox, "obj", "data.bin");
    for (const moment of [{ progress: 1 }, { progress: 60 }, "end"] as KillAt[]) {
      await runWriter(sandbox, "local", 64, moment);
      expect(await classify(dest, 64), `killed at ${JSON.stringify(moment)}`).to.be.oneOf(["old", "new"]);
    }
    await runWriter(sandbox, "local", 64, { progress: 30 });
    expect(await classify(dest, 64)).to.equal("old");
    expect(await listed()).to.deep.equal(["obj/data.bin"]);
  });

  it("a writeStream whose source fails mid-way leaves the old object and no temp file beside it", async () => {
    const broken = new Error("the source broke");
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 8; i++) yield Buffer.alloc(MiB, newByte(i));
      throw broken;
    }
    let caught: unknown;
    await storage.writeStream("obj/data.bin", source()).catch((e: unknown) => (caught = e));
    expect(caught).to.equal(broken);
    expect(await classify(join(sandbox, "obj", "data.bin"), 8)).to.equal("old");
    expect(await readdir(join(sandbox, "obj"))).to.deep.equal(["data.bin"]);
    // a new key whose write fails leaves no directory behind either
    caught = undefined;
    await storage.writeStream("fresh/dir/x", source()).catch((e: unknown) => (caught = e));
    expect(caught).to.equal(broken);
    expect(await readdir(sandbox)).to.deep.equal(["obj"]);
  });

  it("a commit that fails (ifAbsent lost the race) removes its temp file", async () => {
    const pending = await storage.createLocalFile("obj/data.bin", { ifAbsent: false });
    const racer = await storage.createLocalFile("obj/new.bin", { ifAbsent: true });
    await storage.write("obj/new.bin", "won the race");
    await pending.abort();
    await writeFile(racer.path, "lost the race");
    let caught: unknown;
    await racer.commit().catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(AlreadyExistsError);
    expect(caught).to.have.property("code", "E_ALREADY_EXISTS");
    expect(caught).to.have.property("key", "obj/new.bin");
    expect(await readFile(join(sandbox, "obj", "new.bin"), "utf8")).to.equal("won the race");
    expect(existsSync(racer.path), racer.path).to.equal(false);
    expect((await readdir(join(sandbox, "obj"))).sort()).to.deep.equal(["data.bin", "new.bin"]);
  });
});

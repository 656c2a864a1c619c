/**
 * Storage modules by configuration: where the YAML file is, editing it (atomically, by several
 * processes at once, secrets redacted in listings), loading what it names (package#Export,
 * ./file#Export, skybutler:<wrapper>) once per process, the ConfigErrors that name a module that
 * cannot load or breaks the contract, and the adapter's own bookkeeping (roots, crashed writes).
 */
import Database from "better-sqlite3";
import { expect } from "chai";
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse } from "yaml";
import { ConfigError, NotFoundError, UnsupportedSchemeError } from "../../src/errors.js";
import { addStorageModule, listStorageModules, moduleStatistics, readStorageModules, removeStorageModule, storageFromUri, storageModulesPath } from "../../src/testing/index.js";
import { modulesSandbox, VENDOR_MODULE, type ModulesSandbox } from "../support/module-stacks.js";

const run = promisify(execFile);
const BROKEN = fileURLToPath(new URL("../fixtures/vendor-module/broken-modules.ts", import.meta.url));
const ADD_WORKER = fileURLToPath(new URL("../support/modules-add-worker.ts", import.meta.url));

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

describe("storage-modules.yaml", () => {
  let box: ModulesSandbox;
  beforeEach(async () => {
    box = await modulesSandbox(() => ({}));
  });
  afterEach(() => box.cleanup());

  it("is found through SKYBUTLER_STORAGE_MODULES, else XDG_CONFIG_HOME, else ~/.config", () => {
    expect(storageModulesPath({ env: { SKYBUTLER_STORAGE_MODULES: "/etc/sb.yaml", XDG_CONFIG_HOME: "/x" } })).to.equal("/etc/sb.yaml");
    expect(storageModulesPath({ env: { XDG_CONFIG_HOME: "/x" } })).to.equal("/x/skybutler/storage-modules.yaml");
    expect(storageModulesPath({ env: {} })).to.equal(join(homedir(), ".config", "skybutler", "storage-modules.yaml"));
  });

  it("addStorageModule and removeStorageModule rewrite the file atomically, mode 0600, and refuse malformed entries", async () => {
    const file = join(box.sandbox, "conf", "modules.yaml");
    expect(await addStorageModule("secure", { module: "skybutler:encrypt", description: "keys rotate", args: { keyFile: "/k", over: "swift://" } }, { file })).to.equal(false);
    expect(await addStorageModule("secure", { module: "skybutler:encrypt", args: { keyFile: "/k2", over: "swift://" } }, { file })).to.equal(true);
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect(parse(await readFile(file, "utf8"))).to.deep.equal({ secure: { module: "skybutler:encrypt", args: { keyFile: "/k2", over: "swift://" } } });
    expect(await readdir(join(box.sandbox, "conf"))).to.deep.equal(["modules.yaml"]); // no temp or lock file left
    for (const [name, entry] of [
      ["Bad_Name", { module: "x#Y" }],
      ["c", { module: "x#Y" }],
      ["ok", { module: "" }],
      ["ok", { module: "x#Y", args: ["a"] }],
      ["ok", { module: "x#Y", colour: "red" }],
    ] as const) {
      await rejects(() => addStorageModule(name, entry as never, { file }), ConfigError);
    }
    await rejects(() => addStorageModule("file", { module: "x#Y" }, { file, reserved: ["file", "swift"] }), ConfigError);
    expect(await removeStorageModule("secure", { file })).to.equal(true);
    expect(await removeStorageModule("secure", { file })).to.equal(false);
    expect(await readStorageModules(file)).to.deep.equal({});
  });

  it("two processes adding modules at once lose none of them", async () => {
    const file = join(box.sandbox, "shared.yaml");
    await Promise.all(["alpha", "beta"].map((p) => run(process.execPath, ["--import", "tsx", ADD_WORKER, file, p, "12"], { env: process.env })));
    const names = Object.keys(await readStorageModules(file)).sort();
    expect(names).to.have.length(24);
    expect(names.filter((n) => n.startsWith("alpha"))).to.have.length(12);
  });

  it("a listing redacts secrets in args but keeps paths and variable names", async () => {
    await addStorageModule("remote", { module: "x#Y", args: { secretAccessKey: "s3cr3t", password: "pw", nested: { token: "t0k" }, keyFile: "/etc/k", keyEnv: "SB_KEY" } });
    const listed = await listStorageModules();
    expect(listed.remote!.args).to.deep.equal({ secretAccessKey: "***", password: "***", nested: { token: "***" }, keyFile: "/etc/k", keyEnv: "SB_KEY" });
    expect(JSON.stringify(listed)).to.not.include("s3cr3t");
  });

  it("a malformed file is a ConfigError naming it; an unknown scheme lists the configured modules", async () => {
    await writeFile(box.file, "vendor: [unclosed");
    expect((await rejects(() => storageFromUri("vendor://x"), ConfigError)).message).to.include(box.file);
    await box.write({ vendor: { module: "./v.js#V" }, other: { module: "./o.js#O" } });
    const err = await rejects(() => storageFromUri("nosuch://x"), UnsupportedSchemeError);
    expect(err.message).to.include("vendor").and.include("other").and.include("file");
  });
});

describe("loading storage modules", () => {
  let box: ModulesSandbox;
  const broken = (sandbox: string, exp: string): string => `./${relative(sandbox, BROKEN)}#${exp}`;
  beforeEach(async () => {
    box = await modulesSandbox(() => ({}));
  });
  afterEach(() => box.cleanup());

  it("names the module in every ConfigError: missing file, missing export, missing methods, a throwing constructor, a bad factory, an unknown built-in", async () => {
    const cases: Array<[string, string, RegExp]> = [
      ["./no-such-file.js#X", "gone", /could not be loaded/],
      [broken(box.sandbox, "NoSuchExport"), "noexp", /no export "NoSuchExport".*Counted/],
      [broken(box.sandbox, "MissingMethods"), "missing", /lacks available, getReadStream, getSize, statistics/],
      [broken(box.sandbox, "Picky"), "picky", /failed to start with its args: Picky needs args.colour/],
      [broken(box.sandbox, "junkFactory"), "junk", /did not return a Storage/],
      [broken(box.sandbox, "notAModule"), "nan", /neither a StorageModule class nor a StorageFactory/],
      ["skybutler:compress", "zip", /built-ins are skybutler:checksum/],
    ];
    for (const [module, name, message] of cases) {
      await box.write({ [name]: { module, args: { dir: join(box.sandbox, "d") } } });
      const err = await rejects(() => storageFromUri(`${name}://r`, { create: true }), ConfigError);
      expect(err.message).to.include(`"${name}"`).and.match(message);
    }
  });

  it("a method that returns the wrong kind of value is a ConfigError naming the module, and nothing is stored", async () => {
    await box.write({ numeric: { module: broken(box.sandbox, "NumericData"), args: { dir: join(box.sandbox, "d") } } });
    const s = await storageFromUri("numeric://r", { create: true });
    const err = await rejects(() => s.write("k", "v"), ConfigError);
    expect(err.message).to.include('"numeric"').and.include("newData");
    expect(await s.exists("k")).to.equal(false);
    await s.close();
  });

  it("constructs a module once per process with its args, and again only when its entry changes", async () => {
    const g = globalThis as { countedModules?: number };
    const before = g.countedModules ?? 0;
    const entry = (dir: string) => ({ counted: { module: broken(box.sandbox, "Counted"), args: { dir: join(box.sandbox, dir) } } });
    await box.write(entry("d1"));
    for (const root of ["a", "b", "a"]) await (await storageFromUri(`counted://${root}`, { create: true })).close();
    expect(g.countedModules! - before).to.equal(1);
    await box.write(entry("d2"));
    await (await storageFromUri("counted://a", { create: true })).close();
    expect(g.countedModules! - before).to.equal(2);
  });

  it("loads package#Export from node_modules beside the YAML file, a class written without skybutler", async () => {
    const pkg = join(box.sandbox, "node_modules", "acme-store");
    await mkdir(pkg, { recursive: true });
    await writeFile(join(pkg, "package.json"), JSON.stringify({ name: "acme-store", type: "module", exports: "./index.js" }));
    // a plain class with the seven methods: it does not import skybutler at all
    await writeFile(
      join(pkg, "index.js"),
      `const blobs = new Map();
export class MemoryModule {
  constructor(args) { this.label = args.label; }
  newData() { return String(blobs.size + 1) + "-" + Math.random(); }
  async assign(ctx, data, stream) { const parts = []; for await (const c of stream) parts.push(Buffer.from(c)); blobs.set(data, Buffer.concat(parts)); }
  available(ctx, data) { return blobs.has(data); }
  getReadStream(ctx, data) { const b = blobs.get(data); let p = 0; return { read(n = b.length - p) { const out = b.subarray(p, p + n); p += out.length; return out; }, seek(o) { p = o; }, close() {} }; }
  delete(ctx, data) { blobs.delete(data); }
  getSize(ctx, data) { return blobs.get(data).length; }
  statistics() { return { capacity: null, label: this.label, blobs: blobs.size }; }
}
`,
    );
    await box.write({ acme: { module: "acme-store#MemoryModule", args: { label: "in memory" } } });
    const s = await storageFromUri("acme://r", { create: true });
    await s.write("a/b", "0123456789");
    expect((await s.read("a/b", { offset: 3, length: 4 })).toString()).to.equal("3456");
    expect(await s.available("a/b", { size: 10 })).to.equal(true);
    const stats = await s.statistics({ count: true });
    expect(stats).to.deep.include({ capacity: null, objects: 1, bytes: 10 });
    expect(stats.module).to.deep.equal({ label: "in memory", blobs: 1 });
    await s.close();
    expect(await moduleStatistics("acme")).to.deep.equal({ capacity: null, label: "in memory", blobs: 1 });
  });

  it("a root is made only with create; data a crashed writer left is deleted on the next open", async () => {
    const dataDir = join(box.sandbox, "d");
    await box.write({ vendor: { module: `./${relative(box.sandbox, VENDOR_MODULE)}#DirectoryModule`, args: { dir: dataDir, index: "idx/index.sqlite3" } } });
    await rejects(() => storageFromUri("vendor://never-made"), NotFoundError);
    await (await storageFromUri("vendor://r", { create: true })).close();
    // a process that died while writing: its pending row and half-written data
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    await writeFile(join(dataDir, "half-written"), "partial");
    const db = new Database(join(box.sandbox, "idx", "index.sqlite3"));
    db.prepare("INSERT INTO pending (data, pid, started) VALUES (?, ?, ?)").run("half-written", Number(dead), Date.now());
    db.close();
    const s = await storageFromUri("vendor://r");
    expect(existsSync(join(dataDir, "half-written"))).to.equal(false);
    expect((await moduleStatistics("vendor")).capacity).to.have.keys("total", "used", "free");
    await s.close();
  });
});

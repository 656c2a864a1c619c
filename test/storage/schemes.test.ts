/**
 * Backends by URI scheme: registration, lookup, plain paths, and how a `file:` root is opened.
 */
import { expect } from "chai";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, NotFoundError, UnsupportedSchemeError } from "../../src/errors.js";
import {
  PosixStorage,
  registerStorage,
  registeredSchemes,
  storageFromUri,
  toRootUri,
  type Storage,
} from "../../src/storage/index.js";

async function failure(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a failure");
}

describe("storage schemes", () => {
  let sandbox: string;
  const opened: Storage[] = [];
  beforeEach(async () => {
    sandbox = await mkdtemp(join(tmpdir(), "skybutler-schemes-"));
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await rm(sandbox, { recursive: true, force: true });
  });
  async function openRoot(uri: string, options = {}): Promise<Storage> {
    const s = await storageFromUri(uri, options);
    opened.push(s);
    return s;
  }

  it("importing the storage barrel registers file:, and importing the registrations again is harmless", async () => {
    expect(registeredSchemes()).to.include("file");
    await import("../../src/storage/builtin.js");
    await import("../../src/storage/index.js");
    expect(registeredSchemes().filter((s) => s === "file")).to.have.length(1);
  });

  it("a scheme registered twice raises ConfigError, whatever its case", () => {
    const scheme = `dup${process.pid}`;
    registerStorage(scheme, async () => PosixStorage.open);
    expect(() => registerStorage(scheme.toUpperCase(), async () => PosixStorage.open)).to.throw(ConfigError, /already registered/);
    expect(() => registerStorage("file", async () => PosixStorage.open)).to.throw(ConfigError);
    expect(() => registerStorage("not a scheme", async () => PosixStorage.open)).to.throw(ConfigError);
  });

  it("an unknown scheme raises UnsupportedSchemeError naming the known ones", async () => {
    const err = await failure(() => storageFromUri("nosuch://bucket/repo"));
    expect(err).to.be.instanceOf(UnsupportedSchemeError);
    expect(err).to.have.property("code", "E_UNSUPPORTED_SCHEME");
    expect(err.message).to.include("nosuch").and.include("file");
  });

  it("loads a backend only when a root of its scheme is first opened", async () => {
    let loads = 0;
    const scheme = `lazy${process.pid}`;
    registerStorage(scheme, async () => {
      loads++;
      return (_uri, options) => PosixStorage.open(sandbox, options);
    });
    expect(loads).to.equal(0);
    await openRoot(`${scheme}://anything`);
    expect(loads).to.equal(1);
  });

  it("plain absolute and relative paths open file: storages", async () => {
    const abs = await openRoot(sandbox);
    expect(abs).to.be.instanceOf(PosixStorage);
    expect(abs.scheme).to.equal("file");
    expect(abs.uri).to.equal(pathToFileURL(sandbox).href);
    const rel = await openRoot(relative(process.cwd(), sandbox));
    expect(rel.uri).to.equal(abs.uri);
    await abs.write("x", "1");
    expect((await rel.read("x")).toString()).to.equal("1");
    expect(toRootUri(`${sandbox}/`)).to.equal(pathToFileURL(sandbox).href);
  });

  it("file: URIs are normalised: no trailing slash, uriOf appends the key", async () => {
    const s = await openRoot(`${pathToFileURL(sandbox).href}/`);
    expect(s.uri).to.equal(pathToFileURL(sandbox).href);
    expect(s.uriOf("raw/v1.fits")).to.equal(`${pathToFileURL(sandbox).href}/raw/v1.fits`);
    const localhost = await openRoot(`file://localhost${sandbox}`);
    expect(localhost.uri).to.equal(s.uri);
    expect(await failure(() => storageFromUri(`file://otherhost${sandbox}`))).to.be.instanceOf(ConfigError);
  });

  it("a missing root raises NotFoundError saying to pass create: true; create: true makes it", async () => {
    const missing = join(sandbox, "no", "such", "dir");
    const err = await failure(() => storageFromUri(missing));
    expect(err).to.be.instanceOf(NotFoundError);
    expect(err.message).to.include(missing).and.include("create: true");
    const made = await openRoot(missing, { create: true });
    expect((await stat(missing)).isDirectory()).to.equal(true);
    expect(made.uri).to.equal(pathToFileURL(missing).href);
  });

  it("a root that is a file raises ConfigError", async () => {
    const file = join(sandbox, "a-file");
    await writeFile(file, "x");
    expect(await failure(() => storageFromUri(file))).to.be.instanceOf(ConfigError);
    expect(await failure(() => storageFromUri(join(file, "below"), { create: true }))).to.be.instanceOf(ConfigError);
  });
});

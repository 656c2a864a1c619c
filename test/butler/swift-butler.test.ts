/**
 * The Butler end to end on the real Swift server: the sample repository uploaded with
 * python-swiftclient's `swift upload`, then read through SwiftStorage (registry downloaded from
 * Swift), with outputs on Swift and, mixed, on local disk. No temp file may survive `close()`.
 */
import Database from "better-sqlite3";
import { expect } from "chai";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Butler, Catalog, Exposure, MaskedImage, type PixelArray } from "../../src/index.js";
import { clearDownloadCache } from "../../src/storage/download-cache.js";
import { startFaultProxy } from "../support/fault-proxy.js";
import { filesBelow } from "../support/hooks.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftCli, swiftServer, type SwiftServer } from "../support/swift-server.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

function tempFilesLeft(): string[] {
  return filesBelow(process.env.SKYBUTLER_TMPDIR!);
}

/**
 * After close, only the registries kept by the process's download cache may remain (by design:
 * a reopen revalidates them instead of downloading again); emptying the cache deletes them.
 */
function expectOnlyCachedRegistriesLeft(): void {
  const left = tempFilesLeft();
  expect(left.filter((f) => !/^cached-.*\.sqlite3$/.test(basename(f)))).to.deep.equal([]);
  clearDownloadCache();
  expect(tempFilesLeft()).to.deep.equal([]);
}

function calexpFrom(raw: Exposure<PixelArray>): Exposure<Float32Array> {
  const mi = MaskedImage.create(raw.width, raw.height);
  raw.image.data.forEach((v, i) => (mi.image.data[i] = Number(v) - 1000));
  mi.variance.data.fill(2.5);
  return new Exposure(mi, raw.metadata.clone().set("HISTORY", "calibrated on swift"));
}

describe("Butler on Swift", function () {
  this.timeout(60_000);
  let server: SwiftServer;
  let admin: SwiftAdmin;
  let input: string;
  let credentials: Record<string, string>;
  const made: string[] = [];
  let work: string;

  before(async () => {
    server = await swiftServer();
    admin = new SwiftAdmin(server);
    input = uniqueContainer("testcam");
    made.push(input);
    credentials = { authUrl: server.authUrl, user: server.user, key: server.key };
    // uploaded by python-swiftclient, not by SwiftStorage: the objects must be readable as Swift users make them
    await swiftCli(server, ["upload", input, "repositoryCfg.yaml", "registry.sqlite3", "raw"], INPUT);
  });
  after(async () => {
    clearDownloadCache();
    for (const c of made) await admin.removeContainer(c);
  });
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-swift-butler-"));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("reads a raw (registry from Swift), puts and gets a calexp and a catalog, answers queryMetadata, all on Swift", async () => {
    const output = uniqueContainer("rerun");
    made.push(output);
    const local = await Butler.create({ inputs: INPUT });
    const butler = await Butler.create({
      inputs: { root: `swift://${input}`, storageOptions: credentials },
      outputs: { root: `swift://${output}/me`, mode: "rw", storageOptions: credentials },
    });
    try {
      // the filter is not in the data id: the registry downloaded from Swift supplies it
      const raw = await butler.get<Exposure<PixelArray>>("raw", { visit: 1, ccd: 0 });
      expect(raw.metadata.get("FILTER")).to.equal("g");
      const localRaw = await local.get<Exposure<PixelArray>>("raw", { visit: 1, ccd: 0 });
      expect([...raw.image.data]).to.deep.equal([...localRaw.image.data]);
      expect(await butler.getUri("raw", { visit: 1, ccd: 0 })).to.equal(`swift://${input}/raw/v1_fg_c00.fits`);

      const calexp = calexpFrom(raw);
      await butler.put(calexp, "calexp", { visit: 1, ccd: 0 });
      expect(await admin.names(output)).to.include("me/calexp/v1_fg_c00.fits");
      const back = await butler.get<Exposure<Float32Array>>("calexp", { visit: 1, ccd: 0 });
      expect(Buffer.from(back.image.data.buffer).equals(Buffer.from(calexp.image.data.buffer))).to.equal(true);
      expect(back.metadata.cards.some((c) => c.keyword === "HISTORY" && c.value === "calibrated on swift")).to.equal(true);

      const cat = new Catalog({ id: BigInt64Array.from([1n, 2n]), flux: Float64Array.from([1.5, -2]) });
      await butler.put(cat, "src", { visit: 1, ccd: 0 });
      const catBack = await butler.get<Catalog>("src", { visit: 1, ccd: 0 });
      expect([...(catBack.column("flux") as Float64Array)]).to.deep.equal([1.5, -2]);

      const query = await butler.queryMetadata("raw", ["visit", "filter"], { ccd: 0 });
      expect(query).to.deep.equal(await local.queryMetadata("raw", ["visit", "filter"], { ccd: 0 }));
      expect(query.length).to.be.above(1);
    } finally {
      await butler.close();
      await local.close();
    }
    expectOnlyCachedRegistriesLeft();
  });

  it("mixed: Swift input with credentials from ST_* in the environment, local output", async () => {
    const saved = { ST_AUTH: process.env.ST_AUTH, ST_USER: process.env.ST_USER, ST_KEY: process.env.ST_KEY };
    Object.assign(process.env, { ST_AUTH: server.authUrl, ST_USER: server.user, ST_KEY: server.key });
    let butler: Butler | undefined;
    try {
      butler = await Butler.create({ inputs: `swift://${input}`, outputs: { root: join(work, "rerun"), mode: "rw" } });
      const raw = await butler.get<Exposure<PixelArray>>("raw", { visit: 2, ccd: 1 });
      expect(raw.metadata.get("VISIT")).to.equal(2);
      await butler.put(calexpFrom(raw), "calexp", { visit: 2, ccd: 1 });
      const file = join(work, "rerun", "calexp", `v2_f${String(raw.metadata.get("FILTER"))}_c01.fits`);
      expect(existsSync(file), file).to.equal(true);
      const back = await butler.get<Exposure<Float32Array>>("calexp", { visit: 2, ccd: 1 });
      expect(back.width).to.equal(raw.width);
    } finally {
      await butler?.close();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expectOnlyCachedRegistriesLeft();
  });

  it("reopening revalidates the registries with one conditional GET each (304, no body); a changed registry is downloaded again", async () => {
    const container = uniqueContainer("reopen");
    made.push(container);
    await swiftCli(server, ["upload", container, "repositoryCfg.yaml", "registry.sqlite3", "calibRegistry.sqlite3"], INPUT);
    clearDownloadCache();
    const proxy = await startFaultProxy(server.port);
    const storageOptions = { authUrl: proxy.authUrl, user: server.user, key: server.key };
    const open = (): Promise<Butler> => Butler.create({ inputs: { root: `swift://${container}`, storageOptions } });
    const gets = (): Array<[string, number | undefined, string | undefined, number]> =>
      proxy.seen.filter((r) => r.method === "GET" && /egistry\.sqlite3$/.test(r.path)).map((r) => [basename(r.path), r.status, r.ifNoneMatch, r.bytes]);
    const local = async (name: string): Promise<{ md5: string; size: number }> => {
      const bytes = await readFile(join(INPUT, name));
      return { md5: createHash("md5").update(bytes).digest("hex"), size: bytes.length };
    };
    const reg = await local("registry.sqlite3");
    const calib = await local("calibRegistry.sqlite3");
    const visits = async (butler: Butler): Promise<string> => JSON.stringify(await butler.queryMetadata("raw", ["visit"], { ccd: 0 }));
    let butler: Butler | undefined;
    try {
      butler = await open();
      const before = await visits(butler);
      await butler.close();
      expect(gets()).to.deep.equal([
        ["registry.sqlite3", 200, undefined, reg.size],
        ["calibRegistry.sqlite3", 200, undefined, calib.size],
      ]);

      proxy.reset();
      butler = await open();
      expect(await visits(butler)).to.equal(before);
      await butler.close();
      expect(gets()).to.deep.equal([
        ["registry.sqlite3", 304, reg.md5, 0],
        ["calibRegistry.sqlite3", 304, calib.md5, 0],
      ]);

      // the registry changes on the server: a new visit
      const changed = join(work, "registry.sqlite3");
      await copyFile(join(INPUT, "registry.sqlite3"), changed);
      const db = new Database(changed);
      db.prepare(`INSERT INTO raw (visit, ccd, filter, expTime, taiObs, field) VALUES (99, 0, 'r', 30, '2026-03-09T03:00:00.000', 'NEW')`).run();
      db.prepare(`INSERT INTO raw_visit (visit, filter, expTime, taiObs, field) VALUES (99, 'r', 30, '2026-03-09T03:00:00.000', 'NEW')`).run();
      db.close();
      const bytes = await readFile(changed);
      expect((await admin.send("PUT", `/${container}/registry.sqlite3`, {}, bytes)).status).to.equal(201);

      proxy.reset();
      butler = await open();
      expect(await visits(butler)).to.include("99").and.not.equal(before);
      await butler.close();
      expect(gets()).to.deep.equal([
        ["registry.sqlite3", 200, reg.md5, bytes.length],
        ["calibRegistry.sqlite3", 304, calib.md5, 0],
      ]);
    } finally {
      await butler?.close();
      await proxy.close();
    }
    expectOnlyCachedRegistriesLeft();
  });
});

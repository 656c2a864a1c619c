/**
 * The Butler conformance suite on the real Swift of the test run (test/support/swift-server.ts):
 * the sample repository uploaded by python-swiftclient's `swift upload` (not by SwiftStorage: the
 * objects must be readable as Swift users make them) is the input, and each output is a fresh
 * container. Outputs get their credentials as `storageOptions`; a repository reopened from a
 * recorded parent list carries none, so for the suite's duration they are also in the
 * environment (`ST_AUTH`/`ST_USER`/`ST_KEY`), as a user's shell would have them.
 *
 * Then what only Swift has: a local output beside a Swift input, and registries revalidated
 * instead of downloaded again — by the same process and by the next one (they are cached in
 * $XDG_CACHE_HOME, never in the temp directory).
 */
import Database from "better-sqlite3";
import { expect } from "chai";
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Butler, Exposure, MaskedImage, type PixelArray } from "../../src/testing/index.js";
import { forBackend } from "../support/backends.js";
import { startFaultProxy } from "../support/fault-proxy.js";
import { filesBelow } from "../support/hooks.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftCli, swiftServer, type SwiftServer } from "../support/swift-server.js";
import { describeButlerConformance, SAMPLE_REPO, type RepoFixture } from "../../src/testing/index.js";

const run = promisify(execFile);
const OPEN_WORKER = fileURLToPath(new URL("../support/registry-open-worker.ts", import.meta.url));

/** Sets environment variables; returns what restores them. */
function setEnv(values: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  Object.assign(process.env, values);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** The sample repository uploaded to a fresh container by `swift upload`, credentials in the environment. */
async function swiftInput(): Promise<RepoFixture> {
  const server = await swiftServer();
  const admin = new SwiftAdmin(server);
  const container = uniqueContainer("testcam");
  await swiftCli(server, ["upload", container, "repositoryCfg.yaml", "registry.sqlite3", "calibRegistry.sqlite3", "raw", "flat", "bias"], SAMPLE_REPO);
  const restore = setEnv({ ST_AUTH: server.authUrl, ST_USER: server.user, ST_KEY: server.key });
  return {
    root: `swift://${container}`,
    storageOptions: { authUrl: server.authUrl, user: server.user, key: server.key },
    async cleanup() {
      restore();
      await admin.removeContainer(container);
    },
  };
}

/** A fresh output below a prefix of a container that does not exist yet (the Butler creates it). */
async function swiftOutput(): Promise<RepoFixture> {
  const server = await swiftServer();
  const admin = new SwiftAdmin(server);
  const container = uniqueContainer("butler");
  return {
    root: `swift://${container}/repo`,
    storageOptions: { authUrl: server.authUrl, user: server.user, key: server.key },
    cleanup: () => admin.removeContainer(container),
  };
}

forBackend("swift", () => {
  describeButlerConformance({
    name: "Swift",
    input: swiftInput,
    output: swiftOutput,
    records: true, // one record object per dataset under _records/ (ObjectRecordStore)
    relativeParents: false,
  });

  describe("Butler on Swift specifics", function () {
    this.timeout(60_000);
    let server: SwiftServer;
    let admin: SwiftAdmin;
    let input: string;
    const made: string[] = [];
    let work: string;

    /** After close nothing is left in the temp directory: the registries are cached in $XDG_CACHE_HOME. */
    function expectNoTempFiles(): void {
      expect(filesBelow(process.env.SKYBUTLER_TMPDIR!)).to.deep.equal([]);
    }

    before(async () => {
      server = await swiftServer();
      admin = new SwiftAdmin(server);
      input = uniqueContainer("testcam");
      made.push(input);
      await swiftCli(server, ["upload", input, "repositoryCfg.yaml", "registry.sqlite3", "raw"], SAMPLE_REPO);
    });
    after(async () => {
      for (const c of made) await admin.removeContainer(c);
    });
    beforeEach(async () => {
      work = await mkdtemp(join(tmpdir(), "skybutler-swift-butler-"));
    });
    afterEach(async () => {
      await rm(work, { recursive: true, force: true });
    });

    it("mixed: Swift input with credentials from ST_* in the environment, local output", async () => {
      const restore = setEnv({ ST_AUTH: server.authUrl, ST_USER: server.user, ST_KEY: server.key });
      let butler: Butler | undefined;
      try {
        butler = await Butler.create({ inputs: `swift://${input}`, outputs: { root: join(work, "rerun"), mode: "rw" } });
        const raw = await butler.get<Exposure<PixelArray>>("raw", { visit: 2, ccd: 1 });
        expect(raw.metadata.get("VISIT")).to.equal(2);
        const mi = MaskedImage.create(raw.width, raw.height);
        raw.image.data.forEach((v, i) => (mi.image.data[i] = Number(v) - 1000));
        await butler.put(new Exposure(mi, raw.metadata.clone()), "calexp", { visit: 2, ccd: 1 });
        const file = join(work, "rerun", "calexp", `v2_f${String(raw.metadata.get("FILTER"))}_c01.fits`);
        expect(existsSync(file), file).to.equal(true);
        const back = await butler.get<Exposure<Float32Array>>("calexp", { visit: 2, ccd: 1 });
        expect(Buffer.from(back.image.data.buffer).equals(Buffer.from(mi.image.data.buffer))).to.equal(true);
      } finally {
        await butler?.close();
        restore();
      }
      expectNoTempFiles();
    });

    it("reopening revalidates the registries with one conditional GET each (304, no body); a changed registry is downloaded again", async () => {
      const container = uniqueContainer("reopen");
      made.push(container);
      await swiftCli(server, ["upload", container, "repositoryCfg.yaml", "registry.sqlite3", "calibRegistry.sqlite3"], SAMPLE_REPO);
      const proxy = await startFaultProxy(server.port);
      const storageOptions = { authUrl: proxy.authUrl, user: server.user, key: server.key };
      const open = (): Promise<Butler> => Butler.create({ inputs: { root: `swift://${container}`, storageOptions } });
      const gets = (): Array<[string, number | undefined, string | undefined, number]> =>
        proxy.seen.filter((r) => r.method === "GET" && /egistry\.sqlite3$/.test(r.path)).map((r) => [basename(r.path), r.status, r.ifNoneMatch, r.bytes]);
      const local = async (name: string): Promise<{ md5: string; size: number }> => {
        const bytes = await readFile(join(SAMPLE_REPO, name));
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
        await copyFile(join(SAMPLE_REPO, "registry.sqlite3"), changed);
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
      expectNoTempFiles();
    });

    it("a second process reuses the first one's cached registries: one conditional GET each, answered 304", async () => {
      const container = uniqueContainer("twoproc");
      made.push(container);
      await swiftCli(server, ["upload", container, "repositoryCfg.yaml", "registry.sqlite3", "calibRegistry.sqlite3"], SAMPLE_REPO);
      const proxy = await startFaultProxy(server.port);
      // two real processes as a user runs them, sharing nothing but $XDG_CACHE_HOME (set by the test hooks)
      const env = { ...process.env, ST_AUTH: proxy.authUrl, ST_USER: server.user, ST_KEY: server.key };
      const openInChild = async (): Promise<{ visits: unknown; tempFiles: string[] }> =>
        JSON.parse((await run(process.execPath, ["--import", "tsx", OPEN_WORKER, `swift://${container}`], { env })).stdout) as { visits: unknown; tempFiles: string[] };
      const registryGets = (): Array<[string, number | undefined, boolean]> =>
        proxy.seen.filter((r) => r.method === "GET" && /egistry\.sqlite3$/.test(r.path)).map((r) => [basename(r.path), r.status, r.ifNoneMatch !== undefined]);
      try {
        const first = await openInChild();
        expect(registryGets()).to.deep.equal([
          ["registry.sqlite3", 200, false],
          ["calibRegistry.sqlite3", 200, false],
        ]);
        proxy.reset();
        const second = await openInChild();
        expect(second.visits).to.deep.equal(first.visits).and.to.deep.equal([1, 2, 3, 4]);
        expect(registryGets()).to.deep.equal([
          ["registry.sqlite3", 304, true],
          ["calibRegistry.sqlite3", 304, true],
        ]);
        expect(proxy.seen.filter((r) => r.status === 304)).to.have.length(2);
        // neither process left anything in its temp directory
        expect([first.tempFiles, second.tempFiles]).to.deep.equal([[], []]);
      } finally {
        await proxy.close();
      }
      expectNoTempFiles();
    });
  });
});

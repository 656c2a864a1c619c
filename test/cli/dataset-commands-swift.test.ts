/**
 * The dataset commands on a repository in the real test Swift: create, ingest (its registry a
 * local copy uploaded once; idempotent by the objects' MD5 ETags; `link` refused, `move` taking the
 * files away), info, get, put (checked, nothing stored when refused), registry build — and the
 * dataset routes of a server with that Swift repository behind it.
 */
import { expect } from "chai";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli, startServe } from "../support/cli.js";
import { call } from "../support/http-call.js";
import { rawCards, writeRaw } from "../support/raw-frames.js";
import { dumpRegistry } from "../support/registry-dump.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftServer, type SwiftServer } from "../support/swift-server.js";

const SAMPLE = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));
const RAW = join(SAMPLE, "raw");

describe("skybutler dataset commands on Swift", function () {
  this.timeout(120_000);
  let work: string;
  let server: SwiftServer;
  let admin: SwiftAdmin;
  let env: Record<string, string>;
  let container: string;
  let repo: string;

  before(async () => {
    server = await swiftServer();
    admin = new SwiftAdmin(server);
    env = { ST_AUTH: server.authUrl, ST_USER: server.user, ST_KEY: server.key };
    container = uniqueContainer("cli-datasets");
    repo = `swift://${container}/repo`;
    work = await mkdtemp(join(tmpdir(), "skybutler-cli-datasets-swift-"));
  });
  after(async () => {
    await admin.removeContainer(container);
    await rm(work, { recursive: true, force: true });
  });

  /** The registry object of the Swift repository, downloaded. */
  async function registryRows(): Promise<unknown> {
    const local = join(work, "registry.sqlite3");
    const res = await admin.send("GET", `/${container}/repo/registry.sqlite3`);
    expect(res.status).to.equal(200);
    await writeFile(local, res.body);
    try {
      return dumpRegistry(local);
    } finally {
      await rm(local);
    }
  }

  it("create, then ingest the sample's raw files: the objects and the sample's registry rows; a second run skips them all", async () => {
    const made = await runCli(["create", repo, "--mapper", "testcam"], { env });
    expect(made.code, made.stderr).to.equal(0);
    const first = await runCli(["ingest", repo, RAW], { env });
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/^ingested 12 files .*; 0 skipped, 0 failed\n$/);
    const names = (await admin.names(container)).sort();
    expect(names).to.deep.equal(["repo/registry.sqlite3", "repo/repositoryCfg.yaml", ...(await readdir(RAW)).sort().map((n) => `repo/raw/${n}`)].sort());
    expect(await registryRows()).to.deep.equal(dumpRegistry(join(SAMPLE, "registry.sqlite3")));
    const again = await runCli(["ingest", repo, RAW, "--json"], { env });
    expect(JSON.parse(again.stdout)).to.include({ transferred: 0, skipped: 12, failed: 0 });

    const link = await runCli(["ingest", repo, RAW, "--mode", "link"], { env });
    expect([link.code, link.stderr]).to.deep.equal([2, "E_USAGE: --mode link needs a repository of local files; swift: stores copies (use copy or move)\n"]);
  });

  it("ingest --mode move uploads then removes; a refused file stays and adds no row", async () => {
    const incoming = join(work, "incoming");
    await mkdir(incoming);
    await writeRaw(join(incoming, "a-v8.fits"), rawCards(8, 1, "r"));
    await writeRaw(join(incoming, "b-v8-bad.fits"), rawCards(8, 2, "g"));
    const move = await runCli(["ingest", repo, incoming, "--mode", "move"], { env });
    expect(move.code, move.stderr).to.equal(1);
    expect(move.stderr).to.match(/^E_REGISTRY: .*b-v8-bad\.fits: visit=8 is registered in "raw_visit" with filter "r", not "g"/);
    expect(await readdir(incoming)).to.deep.equal(["b-v8-bad.fits"]);
    expect(await admin.names(container)).to.include("repo/raw/v8_fr_c01.fits");
    expect(await admin.names(container)).to.not.include("repo/raw/v8_fg_c02.fits");
    const raw = (await registryRows() as Array<[string, Array<{ visit: number }>]>).find(([t]) => t === "raw")![1];
    expect(raw.filter((r) => r.visit === 8)).to.have.length(1);
  });

  it("info, get and put work on the Swift repository; put refuses a body its formatter refuses and stores nothing", async () => {
    const info = JSON.parse((await runCli(["info", repo, "--json"], { env })).stdout) as Array<Record<string, any>>;
    expect(info[0]).to.deep.include({ root: repo, mapper: "testcam", parents: [] });
    expect(info[0]!.registry.tables).to.deep.equal({ raw: 13, raw_visit: 5 });
    expect(info[0]!.storage.capabilities).to.include({ localPath: false, rangedRead: true });

    const out = join(work, "got.fits");
    const get = await runCli(["get", repo, "raw", "visit=3", "ccd=1", "-o", out], { env });
    expect(get.code, get.stderr).to.equal(0);
    expect((await readFile(out)).equals(await readFile(join(RAW, "v3_fr_c01.fits")))).to.equal(true);

    const put = await runCli(["put", repo, "calexp", "visit=3", "ccd=1", out], { env });
    expect(put.code, put.stderr).to.equal(0);
    const stored = await admin.send("GET", `/${container}/repo/calexp/v3_fr_c01.fits`);
    expect(Buffer.from(stored.body).equals(await readFile(out))).to.equal(true);
    const bad = await runCli(["put", repo, "calexp", "visit=3", "ccd=2", join(SAMPLE, "repositoryCfg.yaml")], { env });
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/^E_FITS: /);
    expect((await admin.names(container)).filter((n) => n.startsWith("repo/calexp/"))).to.deep.equal(["repo/calexp/v3_fr_c01.fits"]);
  });

  it("registry build rebuilds the Swift repository's registry from the stored headers", async () => {
    // a second repository holding the sample's raw files but no registry
    const bare = `swift://${container}/bare`;
    await runCli(["create", bare, "--mapper", "testcam"], { env });
    const local = join(work, "raws");
    await mkdir(local);
    for (const n of await readdir(RAW)) await copyFile(join(RAW, n), join(local, n));
    expect((await runCli(["push", local, `${bare}/raw`], { env })).code).to.equal(0);
    const built = await runCli(["registry", "build", bare], { env });
    expect(built.code, built.stderr).to.equal(0);
    expect(built.stdout).to.equal("built registry.sqlite3: raw 12 rows, raw_visit 4 rows; 0 failed\n");
    const res = await admin.send("GET", `/${container}/bare/registry.sqlite3`);
    const path = join(work, "bare.sqlite3");
    await writeFile(path, res.body);
    expect(dumpRegistry(path)).to.deep.equal(dumpRegistry(join(SAMPLE, "registry.sqlite3")));
  });

  it("a server with the Swift repository behind it serves its datasets", async () => {
    const serve = await startServe(["--port", "0", "--repo", `sw=${repo}`, "--public-read", "--quiet"], { env });
    try {
      const got = await call(`${serve.url}/api/v1/repos/sw/datasets/raw?visit=4&ccd=0`);
      expect([got.status, got.headers["content-type"]]).to.deep.equal([200, "application/fits"]);
      expect(got.bytes.equals(await readFile(join(RAW, "v4_fr_c00.fits")))).to.equal(true);
      const part = await call(`${serve.url}/api/v1/repos/sw/datasets/raw?visit=4&ccd=0`, { headers: { range: "bytes=2880-2889" } });
      expect([part.status, part.bytes.length]).to.deep.equal([206, 10]);
      const missing = await call(`${serve.url}/api/v1/repos/sw/datasets/calexp?visit=4&ccd=0`);
      expect([missing.status, missing.json.code]).to.deep.equal([404, "E_DATASET_NOT_FOUND"]);
      expect(missing.text).to.not.include(container);
    } finally {
      await serve.stop();
    }
  });
});

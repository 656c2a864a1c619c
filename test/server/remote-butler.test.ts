/**
 * The Butler on a repository served by a real `skybutler serve` (the built binary, port 0):
 * `Butler.create({ inputs: "skybutler+http://127.0.0.1:PORT/testcam" })` reads raw frames, their
 * `_md` and `_sub` through HTTP ranges, and revalidates the registry by ETag on reopen (one
 * conditional GET, answered 304 by the server), as on Swift. Errors come back as the same classes.
 */
import Database from "better-sqlite3";
import { expect } from "chai";
import { cp, mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AuthError, Butler, Exposure, Header, NotFoundError, PermissionDeniedError, type PixelArray } from "../../src/testing/index.js";
import { filesBelow } from "../support/hooks.js";
import { HttpStorage } from "../../src/storage/http/http-storage.js";
import { rejection } from "../../src/testing/assertions.js";
import { startServe, tokenFile, TOKENS, type ServeProcess } from "../support/cli.js";
import { countingAgent } from "../support/counting-agent.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

/** Status of each request the server logged (pino JSON lines on stderr), by method and URL. */
function served(stderr: string): Array<{ method: string; url: string; status: number }> {
  const byId = new Map<string, { method: string; url: string }>();
  const out: Array<{ method: string; url: string; status: number }> = [];
  for (const line of stderr.split("\n")) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line) as { reqId?: string; req?: { method: string; url: string }; res?: { statusCode: number } };
    if (entry.req !== undefined && entry.reqId !== undefined) byId.set(entry.reqId, entry.req);
    if (entry.res !== undefined && entry.reqId !== undefined) {
      const req = byId.get(entry.reqId)!;
      out.push({ method: req.method, url: req.url, status: entry.res.statusCode });
    }
  }
  return out;
}

describe("Butler on a skybutler server (skybutler+http)", function () {
  this.timeout(60_000);
  let work: string;
  let repo: string;
  let server: ServeProcess;
  let tokens: ReturnType<typeof tokenFile>;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-remote-butler-"));
    repo = join(work, "testcam");
    await cp(INPUT, repo, { recursive: true });
    tokens = tokenFile([[TOKENS.read, "read"]]);
    // logging on (stderr), to read the statuses the server sent
    server = await startServe(["--port", "0", "--repo", `testcam=${repo}`, "--token-file", tokens.path]);
  });
  after(async () => {
    await server.stop();
    tokens.remove();
    await rm(work, { recursive: true, force: true });
  });

  it("gets raw frames, _md and _sub through HTTP ranges, equal to a local read", async () => {
    const agent = countingAgent();
    const local = await Butler.create({ inputs: INPUT });
    const butler = await Butler.create({ inputs: { root: `skybutler+http://127.0.0.1:${server.port}/testcam`, storageOptions: { token: TOKENS.read, dispatcher: agent.dispatcher } } });
    try {
      const raw = await butler.get<Exposure<PixelArray>>("raw", { visit: 1, ccd: 0 });
      const localRaw = await local.get<Exposure<PixelArray>>("raw", { visit: 1, ccd: 0 });
      expect(raw.metadata.get("FILTER")).to.equal("g"); // the filter came from the registry over HTTP
      expect([...raw.image.data]).to.deep.equal([...localRaw.image.data]);
      expect(await butler.getUri("raw", { visit: 1, ccd: 0 })).to.equal(`skybutler+http://127.0.0.1:${server.port}/testcam/raw/v1_fg_c00.fits`);

      const file = "raw/v2_fg_c01.fits";
      const before = agent.seen.length;
      const md = await butler.get<Header>("raw_md", { visit: 2, ccd: 1 });
      expect(md.toObject()).to.deep.equal((await local.get<Header>("raw_md", { visit: 2, ccd: 1 })).toObject());
      const mdGets = agent.seen.slice(before).filter((r) => r.method === "GET" && r.path.endsWith(file));
      expect(mdGets.length, "GETs of the raw file for _md").to.be.above(0);
      for (const r of mdGets) expect(r.headers.range, "every GET for _md is ranged").to.match(/^bytes=\d+-\d+$/);

      const bbox = { x0: 10, y0: 5, width: 7, height: 4 };
      const mark = agent.seen.length;
      const sub = await butler.get<Exposure<PixelArray>>("raw_sub", { visit: 2, ccd: 1, bbox });
      const full = await local.get<Exposure<PixelArray>>("raw", { visit: 2, ccd: 1 });
      expect([sub.width, sub.height]).to.deep.equal([7, 4]);
      for (let y = 0; y < 4; y++) for (let x = 0; x < 7; x++) expect(sub.image.get(x, y)).to.equal(full.image.get(x + 10, y + 5));
      const subGets = agent.seen.slice(mark).filter((r) => r.method === "GET" && r.path.endsWith(file));
      expect(subGets.length).to.be.above(0);
      for (const r of subGets) expect(r.headers.range).to.match(/^bytes=\d+-\d+$/);
    } finally {
      await butler.close();
      await local.close();
      await agent.close();
    }
  });

  it("reopening revalidates the registry with one conditional GET (304); a changed registry is fetched again", async () => {
    const open = (): Promise<Butler> => Butler.create({ inputs: { root: `skybutler+http://127.0.0.1:${server.port}/testcam`, storageOptions: { token: TOKENS.read } } });
    const registryGets = (from: number) => served(server.stderr()).slice(from).filter((r) => r.method === "GET" && r.url.endsWith("/objects/registry.sqlite3"));
    const visits = async (b: Butler): Promise<string> => JSON.stringify(await b.queryMetadata("raw", ["visit"], { ccd: 0 }));
    let butler = await open();
    const first = await visits(butler);
    await butler.close();
    let mark = served(server.stderr()).length;
    butler = await open();
    expect(await visits(butler)).to.equal(first);
    await butler.close();
    expect(registryGets(mark).map((r) => r.status)).to.deep.equal([304]);

    // the registry changes on the server (replaced atomically, as a rebuild would)
    const changed = join(work, "registry.new");
    await cp(join(repo, "registry.sqlite3"), changed);
    const db = new Database(changed);
    db.prepare(`INSERT INTO raw (visit, ccd, filter, expTime, taiObs, field) VALUES (99, 0, 'r', 30, '2026-03-09T03:00:00.000', 'NEW')`).run();
    db.prepare(`INSERT INTO raw_visit (visit, filter, expTime, taiObs, field) VALUES (99, 'r', 30, '2026-03-09T03:00:00.000', 'NEW')`).run();
    db.close();
    await rename(changed, join(repo, "registry.sqlite3"));
    mark = served(server.stderr()).length;
    butler = await open();
    expect(await visits(butler)).to.include("99").and.not.equal(first);
    await butler.close();
    expect(registryGets(mark).map((r) => r.status)).to.deep.equal([200]);
    // the registry is cached in $XDG_CACHE_HOME, not in the temp directory
    expect(filesBelow(process.env.SKYBUTLER_TMPDIR!)).to.deep.equal([]);
  });

  it("errors come back as the same classes: NotFoundError, PermissionDeniedError, AuthError", async () => {
    const storage = await HttpStorage.open(`skybutler+http://127.0.0.1:${server.port}/testcam`, { token: TOKENS.read });
    try {
      const missing = await rejection(storage.read("raw/nope.fits"));
      expect(missing).to.be.instanceOf(NotFoundError);
      expect(missing.key).to.equal("raw/nope.fits");
      expect(await rejection(storage.write("x.txt", "x"))).to.be.instanceOf(PermissionDeniedError);
      expect(await storage.exists("x.txt")).to.equal(false);
    } finally {
      await storage.close();
    }
    const wrong = await rejection(HttpStorage.open(`skybutler+http://127.0.0.1:${server.port}/testcam`, { token: "not-a-token-of-this-server" }));
    expect(wrong).to.be.instanceOf(AuthError);
    expect(wrong.message).to.not.include("not-a-token-of-this-server");
    const unknown = await rejection(HttpStorage.open(`skybutler+http://127.0.0.1:${server.port}/nosuch`, { token: TOKENS.read }));
    expect(unknown).to.be.instanceOf(NotFoundError);
    // no token ever reaches the log
    expect(server.stderr()).to.not.include(TOKENS.read).and.not.include("not-a-token-of-this-server");
  });
});

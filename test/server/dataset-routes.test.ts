/**
 * The dataset routes of a real `skybutler serve` (the built binary, port 0): a served repository
 * whose parent holds the raw files, so every GET goes through the Butler's chain (a gzip copy
 * included); the catalog routes answer as the command line does; PUT stores only what the
 * formatter accepts. Bad input gets a typed `{code, message}` with a fitting status, stores
 * nothing, and never shows a server path (the parent's root included). The command line works on
 * the served repositories through `skybutler+http://`.
 */
import { expect } from "chai";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { runCli, startServe, tokenFile, TOKENS, type ServeProcess } from "../support/cli.js";
import { call, type Answer } from "../support/http-call.js";
import { filesBelow } from "../../src/testing/files-below.js";

const SAMPLE = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));
const RAW = join(SAMPLE, "raw");

describe("skybutler serve: datasets", function () {
  this.timeout(60_000);
  let work: string;
  let cam: string;
  let server: ServeProcess;
  let tokens: ReturnType<typeof tokenFile>;
  let api: string;
  const auth = (scope: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[scope]}` });
  const calexp = (id: string) => join(cam, "calexp", id);

  /** No stack, no server path, no token in an answer. */
  function clean(a: Answer): void {
    expect(a.text).to.not.match(/\n\s+at |node:internal|\.ts:\d+|\.js:\d+/);
    expect(a.text).to.not.include(work);
    for (const t of Object.values(TOKENS)) expect(a.text).to.not.include(t);
  }
  /** A typed error answer. */
  function refused(a: Answer, status: number, code: string, message?: RegExp): void {
    expect([a.status, a.json?.code], a.text).to.deep.equal([status, code]);
    expect(a.headers["content-type"]).to.match(/^application\/json/);
    if (message !== undefined) expect(a.json.message).to.match(message);
    clean(a);
  }
  const leftovers = () => filesBelow(cam).filter((f) => /\.tmp/.test(f));

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-dataset-routes-"));
    // the parent: the sample, with one raw frame kept only as a gzip copy
    const parent = join(work, "parent");
    await cp(SAMPLE, parent, { recursive: true });
    await writeFile(join(parent, "raw", "v2_fg_c00.fits.gz"), gzipSync(await readFile(join(RAW, "v2_fg_c00.fits"))));
    await rm(join(parent, "raw", "v2_fg_c00.fits"));
    cam = join(work, "cam");
    const made = await runCli(["create", cam, "--mapper", "testcam", "--parent", parent]);
    expect(made.code, made.stderr).to.equal(0);
    await mkdir(join(work, "bare"));
    tokens = tokenFile([[TOKENS.read, "read"], [TOKENS.write, "write"]]);
    server = await startServe(["--port", "0", "--repo", `cam=${cam}`, "--repo", `parent=${parent}`, "--repo", `bare=${join(work, "bare")}`, "--token-file", tokens.path, "--public-read", "--max-object-bytes", "100000"]);
    api = `${server.url}/api/v1/repos`;
  });
  after(async () => {
    await server.stop();
    tokens.remove();
    await rm(work, { recursive: true, force: true });
  });

  it("GET serves a dataset's stored bytes found in the parent, as FITS, with its data id, ETag, Range and HEAD", async () => {
    const expected = await readFile(join(RAW, "v1_fg_c00.fits"));
    const got = await call(`${api}/cam/datasets/raw?visit=1&ccd=0`);
    expect(got.status).to.equal(200);
    expect(got.bytes.equals(expected)).to.equal(true);
    expect(got.headers).to.include({
      "content-type": "application/fits",
      "content-length": String(expected.length),
      "content-disposition": "attachment; filename*=UTF-8''v1_fg_c00.fits",
      "x-skybutler-data-id": '{"visit":1,"ccd":0,"filter":"g"}',
      "accept-ranges": "bytes",
    });
    const etag = String(got.headers.etag);
    expect((await call(`${api}/cam/datasets/raw?visit=1&ccd=0`, { headers: { "if-none-match": etag } })).status).to.equal(304);
    const card = await call(`${api}/cam/datasets/raw?ccd=0&visit=1`, { headers: { range: "bytes=0-29" } });
    expect([card.status, card.text, card.headers["content-range"]]).to.deep.equal([206, "SIMPLE  =                    T", `bytes 0-29/${expected.length}`]);
    const head = await call(`${api}/cam/datasets/raw?visit=1&ccd=0`, { method: "HEAD" });
    expect([head.status, head.headers["content-length"], head.bytes.length]).to.deep.equal([200, String(expected.length), 0]);
    // "1" and 1 are the same visit; a data id string is converted by the key's type
    const past = await call(`${api}/cam/datasets/raw?visit=1&ccd=0`, { headers: { range: `bytes=${expected.length}-` } });
    expect(past.status).to.equal(416);
  });

  it("GET serves a gzip copy as what it is", async () => {
    const got = await call(`${api}/cam/datasets/raw?visit=2&ccd=0`);
    expect(got.status).to.equal(200);
    expect(got.headers["content-type"]).to.equal("application/gzip");
    expect(got.headers["content-disposition"]).to.equal("attachment; filename*=UTF-8''v2_fg_c00.fits.gz");
    expect(gunzipSync(got.bytes).equals(await readFile(join(RAW, "v2_fg_c00.fits")))).to.equal(true);
  });

  it("types, keys and query answer as the command line's --json", async () => {
    const types = await call(`${api}/cam/types`);
    expect(types.json).to.deep.equal(JSON.parse((await runCli(["types", cam, "--json"])).stdout));
    expect(types.json).to.include.members(["raw", "calexp", "flat", "raw_md"]);
    const keys = await call(`${api}/cam/keys/raw`);
    expect(keys.json).to.deep.equal({ visit: "int", ccd: "int", filter: "str", expTime: "int", taiObs: "str", field: "str" });
    const query = await call(`${api}/cam/query/raw?keys=visit,filter&ccd=0`);
    expect(query.json).to.deep.equal([[1, "g"], [2, "g"], [3, "r"], [4, "r"]]);
    expect((await call(`${api}/cam/query/raw?keys=visit&filter=r`)).json).to.deep.equal([3, 4]);
    expect(JSON.parse((await runCli(["query", cam, "raw", "visit", "filter", "--where", "ccd=0", "--json"])).stdout)).to.deep.equal(query.json);
  });

  it("PUT stores a FITS body as the dataset (write scope) and GET gives it back; the repository's own copy, not the parent's", async () => {
    const body = await readFile(join(RAW, "v3_fr_c01.fits"));
    const put = await call(`${api}/cam/datasets/calexp?visit=3&ccd=1`, { method: "PUT", headers: auth("write"), body });
    expect([put.status, put.json]).to.deep.equal([201, { datasetType: "calexp", dataId: { visit: 3, ccd: 1, filter: "r" }, bytes: body.length }]);
    expect((await readFile(calexp("v3_fr_c01.fits"))).equals(body)).to.equal(true);
    const back = await call(`${api}/cam/datasets/calexp?visit=3&ccd=1`);
    expect(back.bytes.equals(body)).to.equal(true);
    const json = await call(`${api}/cam/datasets/jsonThing?visit=2`, { method: "PUT", headers: auth("write"), body: '{"a": [1, 2]}' });
    expect(json.status).to.equal(201);
    const thing = await call(`${api}/cam/datasets/jsonThing?visit=2`);
    expect([thing.headers["content-type"], thing.json]).to.deep.equal(["application/json", { a: [1, 2] }]);
  });

  it("a body its formatter refuses is 422 and stores nothing; too large is 413; without write scope 401/403", async () => {
    const notFits = await call(`${api}/cam/datasets/calexp?visit=4&ccd=0`, { method: "PUT", headers: auth("write"), body: "SIMPLE  = T but not FITS at all" });
    refused(notFits, 422, "E_FITS", /^"calexp" is stored as FITS and this file is not a usable one: /);
    const truncated = (await readFile(join(RAW, "v4_fr_c00.fits"))).subarray(0, 5000);
    refused(await call(`${api}/cam/datasets/calexp?visit=4&ccd=0`, { method: "PUT", headers: auth("write"), body: truncated }), 422, "E_FITS");
    refused(await call(`${api}/cam/datasets/jsonThing?visit=4`, { method: "PUT", headers: auth("write"), body: "{ not json" }), 422, "E_FORMATTER", /cannot read this file for "jsonThing" as JsonStorage/);
    refused(await call(`${api}/cam/datasets/calexp?visit=4&ccd=0`, { method: "PUT", headers: auth("write"), body: Buffer.alloc(150_000) }), 413, "E_TOO_LARGE");
    const chunked = await call(`${api}/cam/datasets/calexp?visit=4&ccd=0`, {
      method: "PUT",
      headers: auth("write"),
      body: Readable.from((function* () {
        for (let i = 0; i < 15; i++) yield Buffer.alloc(10_000, 7);
      })()),
    });
    refused(chunked, 413, "E_TOO_LARGE");
    const body = await readFile(join(RAW, "v4_fr_c00.fits"));
    refused(await call(`${api}/cam/datasets/calexp?visit=4&ccd=0`, { method: "PUT", body }), 401, "E_AUTH");
    refused(await call(`${api}/cam/datasets/calexp?visit=4&ccd=0`, { method: "PUT", headers: auth("read"), body }), 403, "E_PERMISSION_DENIED");
    expect(await stat(calexp("v4_fr_c00.fits")).catch(() => undefined)).to.equal(undefined);
    expect(await stat(join(cam, "json", "v4.json")).catch(() => undefined)).to.equal(undefined);
    expect(leftovers()).to.deep.equal([]);
    // the server is still up
    expect((await call(`${api}/cam/datasets/raw?visit=1&ccd=0`)).status).to.equal(200);
  });

  it("bad data ids, unknown types, traversal and datasets without stored bytes: typed 4xx, nothing written", async () => {
    refused(await call(`${api}/cam/datasets/raw?visit=1&ccd=0&filter=../../etc`), 400, "E_DATA_ID", /contains a path separator/);
    refused(await call(`${api}/cam/datasets/calexp?visit=1&ccd=0&filter=..%2F..%2Fescape`, { method: "PUT", headers: auth("write"), body: await readFile(join(RAW, "v1_fg_c00.fits")) }), 400, "E_DATA_ID");
    refused(await call(`${api}/cam/datasets/..%2F..%2Fetc?visit=1`), 404, "E_UNKNOWN_DATASET_TYPE");
    refused(await call(`${api}/cam/datasets/rawx?visit=1&ccd=0`), 404, "E_UNKNOWN_DATASET_TYPE", /did you mean "raw"/);
    refused(await call(`${api}/cam/datasets/raw?visit=one&ccd=0`), 400, "E_DATA_ID", /"visit" must be an integer/);
    refused(await call(`${api}/cam/datasets/raw?visit=1&visit=2&ccd=0`), 400, "E_DATA_ID");
    refused(await call(`${api}/cam/datasets/raw?visit=9&ccd=0`), 400, "E_DATA_ID", /no registry entry/);
    refused(await call(`${api}/cam/datasets/raw_md?visit=1&ccd=0`), 400, "E_USAGE", /read-only view/);
    refused(await call(`${api}/cam/datasets/rawAndFlat?visit=1&ccd=0`), 400, "E_USAGE", /composite of "raw", "flat"/);
    refused(await call(`${api}/cam/datasets/calexp_md?visit=1&ccd=0`, { method: "PUT", headers: auth("write"), body: "x" }), 400, "E_USAGE", /is read-only/);
    refused(await call(`${api}/cam/query/raw?ccd=0`), 400, "E_USAGE", /keys=visit,filter/);
    refused(await call(`${api}/cam/keys/nope`), 404, "E_UNKNOWN_DATASET_TYPE");
    // not stored: the message names the repository and its parent by their public names only
    const missing = await call(`${api}/cam/datasets/calexp?visit=4&ccd=2`);
    refused(missing, 404, "E_DATASET_NOT_FOUND", /^no "calexp" dataset for data id .* in repo "cam", repo "parent"$/);
    refused(await call(`${api}/bare/datasets/raw?visit=1&ccd=0`), 404, "E_NOT_FOUND", /holds objects but no dataset repository/);
    refused(await call(`${api}/nope/types`), 404, "E_NOT_FOUND");
    expect((await readdir(work)).sort()).to.deep.equal(["bare", "cam", "parent"]);
    expect(await readdir(join(work, "bare"))).to.deep.equal([]);
    expect(leftovers()).to.deep.equal([]);
  });

  it("a read-only server refuses dataset PUTs with 403; a parent it does not serve is never named by its path", async () => {
    const ro = await startServe(["--port", "0", "--repo", `cam=${cam}`, "--public-read", "--read-only", "--token-file", tokens.path]);
    try {
      refused(await call(`${ro.url}/api/v1/repos/cam/datasets/calexp?visit=4&ccd=1`, { method: "PUT", headers: auth("write"), body: await readFile(join(RAW, "v4_fr_c01.fits")) }), 403, "E_PERMISSION_DENIED");
      expect((await call(`${ro.url}/api/v1/repos/cam/datasets/raw?visit=4&ccd=1`)).status).to.equal(200);
      const missing = await call(`${ro.url}/api/v1/repos/cam/datasets/calexp?visit=4&ccd=2`);
      refused(missing, 404, "E_DATASET_NOT_FOUND", /^no "calexp" dataset for data id .* in repo "cam", a parent of repo "cam"$/);
    } finally {
      await ro.stop();
    }
    expect(await stat(calexp("v4_fr_c01.fits")).catch(() => undefined)).to.equal(undefined);
  });

  it("the command line works on served repositories: get, put and info over skybutler+http://", async () => {
    const env = { SKYBUTLER_TOKEN: TOKENS.write };
    const remote = `skybutler+http://127.0.0.1:${server.port}/cam`;
    const out = join(work, "got.fits");
    try {
      // through the served child, its parent reached as the served repository "parent"
      const get = await runCli(["get", remote, "raw", "visit=4", "ccd=2", "-o", out], { env });
      expect(get.code, get.stderr).to.equal(0);
      expect((await readFile(out)).equals(await readFile(join(RAW, "v4_fr_c02.fits")))).to.equal(true);
      const put = await runCli(["put", remote, "calexp", "visit=2", "ccd=2", join(RAW, "v2_fg_c02.fits"), "--quiet"], { env });
      expect([put.code, put.stdout, put.stderr]).to.deep.equal([0, "", ""]);
      expect((await readFile(calexp("v2_fg_c02.fits"))).equals(await readFile(join(RAW, "v2_fg_c02.fits")))).to.equal(true);
      const bad = await runCli(["put", remote, "calexp", "visit=2", "ccd=1", join(SAMPLE, "repositoryCfg.yaml")], { env });
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.match(/^E_FITS: /);
      expect(await stat(calexp("v2_fg_c01.fits")).catch(() => undefined)).to.equal(undefined);
      const info = JSON.parse((await runCli(["info", remote, "--json"], { env })).stdout) as Array<Record<string, any>>;
      expect(info.map((d) => d.root)).to.deep.equal([remote, `skybutler+http://127.0.0.1:${server.port}/parent`]);
      expect(info[1]!.registry).to.deep.equal({ kind: "table", inherited: false, tables: { raw: 12, raw_visit: 4 } });
      expect(info[0]!.storage.capabilities).to.deep.equal({ localPath: false, metadata: false, rangedRead: true });
    } finally {
      await rm(out, { force: true });
    }
  });
});

/**
 * Storlets on skybutler's own object API (`skybutler+http://` repositories): the same headers as
 * upstream's protocol on `/api/v1/repos/NAME/objects/KEY`, deployment through `/api/v1/storlets`
 * with an admin token only, storlets only on repositories the owner enabled, and the same results
 * as a local run of the same storlet.
 */
import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { SkybutlerServer } from "../../src/server/skybutler-server.js";
import { deployStorlet } from "../../src/storlets/deploy-client.js";
import { localStorletCode } from "../../src/storlets/local-code.js";
import { bytesInput } from "../../src/storlets/storlet-input.js";
import { TOKENS, tokenFile } from "../support/cli.js";
import { failure, fixture, runToEnd } from "./storlet-fixtures.js";
import { StorageError } from "../../src/errors.js";

const CONTENT = "abcdefghijklmonp";

describe("storlets on skybutler's object API (skybutler+http)", function () {
  this.timeout(60_000);
  let dir: string;
  let tokens: { path: string; remove(): void };
  let server: SkybutlerServer;

  const send = async (method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer, token: string = TOKENS.admin) => {
    const res = await request(`${server.url}${path}`, { method: method as "GET", headers: { authorization: `Bearer ${token}`, ...headers }, ...(body === undefined ? {} : { body }) });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, headers: res.headers, body: bytes, text: bytes.toString() };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "skybutler-http-storlets-"));
    const repo = join(dir, "cam");
    const other = join(dir, "other");
    for (const d of [repo, other, join(repo, "d")]) mkdirSync(d, { recursive: true });
    writeFileSync(join(repo, "source.txt"), CONTENT);
    writeFileSync(join(repo, "small"), "0123456789abcd");
    writeFileSync(join(repo, "d", "small2"), "efghijklmnopqr");
    writeFileSync(join(other, "source.txt"), CONTENT);
    tokens = tokenFile([
      [TOKENS.read, "read"],
      [TOKENS.write, "write"],
      [TOKENS.admin, "admin"],
    ]);
    server = await SkybutlerServer.start({
      port: 0,
      tokenFile: tokens.path,
      repos: [
        { name: "cam", uri: repo },
        { name: "other", uri: other },
      ],
      storletDir: join(dir, "storlets"),
      storletRepos: ["cam"],
      storlets: { limits: { timeoutMs: 3000 } },
    });
    const env = { SKYBUTLER_TOKEN: TOKENS.admin };
    for (const [file, cls] of [["identity.py", "IdentityStorlet"], ["half.js", "HalfStorlet"], ["params.py", "ParamsStorlet"], ["broken.py", "BrokenStorlet"], ["multi.py", "MultiStorlet"]] as const) {
      await deployStorlet(await fixture(file, cls), `skybutler+http://${server.url.slice(7)}/cam`, { env });
    }
  });

  after(async () => {
    await server?.close();
    tokens?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it("deploys only with an admin token, with upstream's registration checks", async () => {
    const code = await fixture("half.py", "HalfStorlet");
    const err = await failure(deployStorlet(code, `skybutler+http://${server.url.slice(7)}/cam`, { env: { SKYBUTLER_TOKEN: TOKENS.write } }), StorageError);
    expect(err.code).to.equal("E_PERMISSION_DENIED");
    const bad = await send("PUT", "/api/v1/storlets/storlet/a.py", { "x-object-meta-storlet-language": "Python", "x-object-meta-storlet-interface-version": "1.0", "x-object-meta-storlet-object-metadata": "no" }, "x");
    expect(bad.status).to.equal(400);
    expect(JSON.parse(bad.text).message).to.equal("Mandatory parameter is missing: Main");
    const list = JSON.parse((await send("GET", "/api/v1/storlets", {}, undefined, TOKENS.read)).text);
    expect(list.storlets.map((s: { name: string }) => s.name)).to.include.members(["identity.py", "half.js", "fitscutout.js", "thumbnail.js"]);
    expect(list.enabled).to.deep.equal(["cam"]);
  });

  it("GET runs the storlet: output, merged metadata, parameters, ranges (open and suffix too), extra inputs", async () => {
    const identity = await send("GET", "/api/v1/repos/cam/objects/source.txt", { "x-run-storlet": "identity.py" }, undefined, TOKENS.read);
    expect(identity.status).to.equal(200);
    expect(identity.text).to.equal(CONTENT);
    expect(identity.headers["x-object-meta-test"]).to.equal("simple");
    expect(identity.headers["transfer-encoding"]).to.equal("chunked");
    expect((await send("GET", "/api/v1/repos/cam/objects/source.txt", { "x-run-storlet": "half.js" })).text).to.equal("acegikmn");
    for (const [range, want] of [["bytes=2-10", "23456789a"], ["bytes=10-15", "abcd"], ["bytes=5-", "56789abcd"], ["bytes=-3", "bcd"]]) {
      const res = await send("GET", "/api/v1/repos/cam/objects/small", { "x-run-storlet": "identity.py", "x-storlet-range": range! });
      expect(res.text, range).to.equal(want);
    }
    expect((await send("GET", "/api/v1/repos/cam/objects/small", { "x-run-storlet": "identity.py", "x-storlet-range": "bytes=99-" })).status).to.equal(416);
    const params = await send("GET", "/api/v1/repos/cam/objects/source.txt?op=print&a=1", { "x-run-storlet": "params.py", "x-storlet-parameter-1": "a:2" });
    expect(params.text).to.contain("a     2\n").and.contain("op     print\n");
    const multi = await send("GET", "/api/v1/repos/cam/objects/small", { "x-run-storlet": "multi.py", "x-storlet-extra-resources": "/d/small2" });
    expect(multi.text).to.equal("0123456789abcdefghijklmnopqr");
    expect((await send("GET", "/api/v1/repos/cam/objects/small", { "x-run-storlet": "identity.py", range: "bytes=1-2" })).status).to.equal(400);
  });

  it("identical to a local run of the same storlet", async () => {
    for (const [file, cls] of [["identity.py", "IdentityStorlet"], ["half.js", "HalfStorlet"]] as const) {
      const local = await runToEnd(await fixture(file, cls), [bytesInput(Buffer.from(CONTENT))]);
      const remote = await send("GET", "/api/v1/repos/cam/objects/source.txt", { "x-run-storlet": file });
      expect(remote.body.equals(local.body), file).to.equal(true);
      for (const [k, v] of Object.entries(local.metadata)) expect(remote.headers[`x-object-meta-${k.toLowerCase()}`], k).to.equal(v);
    }
  });

  it("PUT stores the output; with X-Copy-From, of another object; a failing storlet stores nothing", async () => {
    const put = await send("PUT", "/api/v1/repos/cam/objects/put-half", { "x-run-storlet": "half.js" }, CONTENT, TOKENS.write);
    expect(put.status).to.equal(201);
    expect((await send("GET", "/api/v1/repos/cam/objects/put-half")).text).to.equal("acegikmn");
    const copy = await send("PUT", "/api/v1/repos/cam/objects/copy-half", { "x-run-storlet": "half.js", "x-copy-from": "source.txt" }, undefined, TOKENS.write);
    expect(copy.status).to.equal(201);
    expect(copy.headers["x-storlet-generated-from"]).to.equal("source.txt");
    expect((await send("GET", "/api/v1/repos/cam/objects/copy-half")).text).to.equal("acegikmn");
    const broken = await send("PUT", "/api/v1/repos/cam/objects/broken", { "x-run-storlet": "broken.py" }, CONTENT, TOKENS.write);
    expect(broken.status).to.equal(500);
    expect(JSON.parse(broken.text).code).to.equal("E_STORLET");
    const stalled = await send("PUT", "/api/v1/repos/cam/objects/stalled?op=hold", { "x-run-storlet": "params.py" }, CONTENT, TOKENS.write);
    expect(stalled.status).to.equal(500);
    expect((await send("HEAD", "/api/v1/repos/cam/objects/stalled")).status).to.equal(404);
    expect((await send("PUT", "/api/v1/repos/cam/objects/x", { "x-run-storlet": "half.js" }, CONTENT, TOKENS.read)).status).to.equal(403);
  });

  it("refusals: a disabled repository (400), an unknown storlet (401), a broken one (503), HEAD/DELETE (405), a stall after the first byte (cut)", async () => {
    const disabled = await send("GET", "/api/v1/repos/other/objects/source.txt", { "x-run-storlet": "identity.py" });
    expect(disabled.status).to.equal(400);
    expect(JSON.parse(disabled.text).message).to.equal("Account disabled for storlets");
    const unknown = await send("GET", "/api/v1/repos/cam/objects/source.txt", { "x-run-storlet": "nothere.py" });
    expect(unknown.status).to.equal(401);
    const broken = await send("GET", "/api/v1/repos/cam/objects/source.txt", { "x-run-storlet": "broken.py" });
    expect(broken.status).to.equal(503);
    expect(JSON.parse(broken.text).code).to.equal("E_STORLET");
    expect(broken.text).to.not.contain("xrange");
    for (const method of ["HEAD", "DELETE"]) expect((await send(method, "/api/v1/repos/cam/objects/source.txt", { "x-run-storlet": "identity.py" })).status, method).to.equal(405);
    const res = await request(`${server.url}/api/v1/repos/cam/objects/source.txt?op=hold`, { headers: { authorization: `Bearer ${TOKENS.read}`, "x-run-storlet": "params.py" } });
    expect(res.statusCode).to.equal(200);
    let text = "";
    let cut = false;
    try {
      for await (const chunk of res.body) text += (chunk as Buffer).toString();
    } catch {
      cut = true;
    }
    expect([text, cut]).to.deep.equal(["started\n", true]);
  });

  it("an admin turns storlets on for a repository (upstream's account switch)", async () => {
    expect((await send("POST", "/api/v1/repos/other/storlets", { "x-storlet-enabled": "true" }, undefined, TOKENS.write)).status).to.equal(403);
    expect((await send("POST", "/api/v1/repos/other/storlets", { "x-storlet-enabled": "true" })).status).to.equal(204);
    try {
      expect((await send("GET", "/api/v1/repos/other/objects/source.txt", { "x-run-storlet": "half.js" })).text).to.equal("acegikmn");
    } finally {
      await send("POST", "/api/v1/repos/other/storlets", { "x-storlet-enabled": "false" });
    }
  });

  it("runs a shipped storlet without deploying it", async () => {
    const code = await localStorletCode("fitsheader");
    expect(code.storlet.name).to.equal("fitsheader.js");
    const res = await send("GET", "/api/v1/repos/cam/objects/source.txt", { "x-run-storlet": "fitsheader.js" });
    // not a FITS file: the storlet fails before its first byte
    expect(res.status).to.equal(503);
  });
});

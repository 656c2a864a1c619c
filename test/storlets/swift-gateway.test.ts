/**
 * The Swift gateway (`skybutler serve --swift-proxy`) in front of the real test Swift: storlets
 * deployed and invoked with python-swiftclient (`swift download … -H "X-Run-Storlet: …"`) and with
 * plain HTTP, following upstream's functional tests (tests/functional: simple/identity, ranges,
 * parameters, metadata, multiple inputs, broken, parallel, copy) and its status codes — with the
 * defects upstream has fixed (a failure after the first byte, open and suffix ranges, stalls, the
 * stale ETag).
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { request } from "undici";
import { SkybutlerServer } from "../../src/server/skybutler-server.js";
import { deployStorlet } from "../../src/storlets/deploy-client.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftServer, type SwiftServer } from "../support/swift-server.js";
import { fixture } from "./storlet-fixtures.js";

const run = promisify(execFile);
const CONTENT = "abcdefghijklmonp";
const SMALL = "0123456789abcd";
const SMALL2 = "efghijklmnopqr";

describe("storlets through the Swift gateway (upstream's protocol, real Swift)", function () {
  this.timeout(60_000);
  let swift: SwiftServer;
  let admin: SwiftAdmin;
  let gateway: SkybutlerServer;
  let token: string;
  let storageUrl: string;
  let c: string;

  /** A request to the gateway's view of the account, with the account owner's token. */
  const send = async (method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) => {
    const res = await request(`${storageUrl}${path}`, { method: method as "GET", headers: { "x-auth-token": token, ...headers }, ...(body === undefined ? {} : { body }) });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, headers: res.headers, body: bytes, text: bytes.toString() };
  };
  const swiftCli = (args: string[]) => run("swift", ["-A", `${gateway.url}/auth/v1.0`, "-U", swift.user, "-K", swift.key, ...args], { timeout: 60_000 });

  before(async () => {
    swift = await swiftServer();
    admin = new SwiftAdmin(swift);
    gateway = await SkybutlerServer.start({ port: 0, publicRead: true, swiftProxy: `http://127.0.0.1:${swift.port}`, storlets: { limits: { timeoutMs: 3000 } } });
    const auth = await request(`${gateway.url}/auth/v1.0`, { headers: { "x-auth-user": swift.user, "x-auth-key": swift.key } });
    await auth.body.dump();
    token = String(auth.headers["x-auth-token"]);
    storageUrl = String(auth.headers["x-storage-url"]);
    expect((await send("POST", "", { "x-account-meta-storlet-enabled": "True" })).status).to.equal(204);
    const env = { ST_AUTH: `${gateway.url}/auth/v1.0`, ST_USER: swift.user, ST_KEY: swift.key };
    for (const [file, cls, deps] of [
      ["identity.py", "IdentityStorlet", []],
      ["half.py", "HalfStorlet", []],
      ["params.py", "ParamsStorlet", []],
      ["broken.py", "BrokenStorlet", []],
      ["multi.py", "MultiStorlet", []],
      ["partial.py", "PartialStorlet", []],
      ["execdep.py", "ExecDepStorlet", ["get42.sh"]],
      ["half.js", "HalfStorlet", []],
    ] as const) {
      await deployStorlet(await fixture(file, cls, [...deps]), "swift://storlet", { env });
    }
    c = uniqueContainer("storlets");
    await admin.createContainer(c);
    await admin.send("PUT", `/${c}/source.txt`, { "x-object-meta-testkey": "tester" }, CONTENT);
    await admin.send("PUT", `/${c}/small`, { "x-object-meta-key1": "value1" }, SMALL);
    await admin.send("PUT", `/${c}/small2`, { "x-object-meta-key2": "value2" }, SMALL2);
  });

  after(async () => {
    await admin?.removeContainer(c);
    await gateway?.close();
  });

  it("hands out a storage URL that points at the gateway, and /info names the storlet handler", async () => {
    expect(storageUrl.startsWith(`${gateway.url}/v1/AUTH_`)).to.equal(true);
    const info = (await (await request(`${gateway.url}/info`)).body.json()) as Record<string, any>;
    expect(info.storlet_handler).to.deep.include({ storlet_container: "storlet", storlet_dependency: "dependency" });
    expect(info.swift).to.be.an("object");
  });

  it("python-swiftclient: swift download with X-Run-Storlet (identity and a transforming storlet)", async () => {
    const identity = await swiftCli(["download", c, "source.txt", "-o", "-", "-H", "X-Run-Storlet: identity.py"]);
    expect(identity.stdout).to.equal(CONTENT);
    // a transformed body carries no stale ETag, so swiftclient's MD5 check does not refuse it
    const half = await swiftCli(["download", c, "source.txt", "-o", "-", "-H", "X-Run-Storlet: half.py"]);
    expect(half.stdout).to.equal("acegikmn");
    const js = await swiftCli(["download", c, "source.txt", "-o", "-", "-H", "X-Run-Storlet: half.js"]);
    expect(js.stdout).to.equal("acegikmn");
    const listing = await swiftCli(["list", "storlet"]);
    expect(listing.stdout.split("\n")).to.include.members(["identity.py", "half.js"]);
  });

  it("GET: the output, chunked, with the object's metadata merged with the storlet's", async () => {
    const res = await send("GET", `/${c}/source.txt`, { "x-run-storlet": "identity.py" });
    expect(res.status).to.equal(200);
    expect(res.text).to.equal(CONTENT);
    expect(res.headers["x-object-meta-test"]).to.equal("simple");
    expect(res.headers["x-object-meta-testkey"]).to.equal("tester");
    expect(res.headers["transfer-encoding"]).to.equal("chunked");
    expect(res.headers).to.not.have.property("content-length");
    expect(res.headers).to.not.have.property("etag");
    expect(res.headers["last-modified"]).to.be.a("string");
  });

  it("X-Storlet-Range: upstream's table, and the open-ended and suffix ranges upstream breaks", async () => {
    const table: Array<[string, string]> = [
      ["bytes=0-0", "0"],
      ["bytes=0-10", "0123456789a"],
      ["bytes=2-10", "23456789a"],
      ["bytes=10-13", "abcd"],
      ["bytes=10-14", "abcd"],
      ["bytes=10-15", "abcd"],
      ["bytes=5-", "56789abcd"],
      ["bytes=-3", "bcd"],
    ];
    for (const [range, expected] of table) {
      const res = await send("GET", `/${c}/small`, { "x-run-storlet": "identity.py", "x-storlet-range": range });
      expect(res.status, range).to.equal(200);
      expect(res.text, range).to.equal(expected);
      expect(res.headers["storlet-input-range"], range).to.match(/^bytes \d+-\d+\/14$/);
    }
    const half = await send("GET", `/${c}/source.txt`, { "x-run-storlet": "half.py", "x-storlet-range": "bytes=5-10" });
    expect(half.text).to.equal("fhj");
    expect(half.headers["x-object-meta-testkey"]).to.equal("tester");
    expect((await send("GET", `/${c}/small`, { "x-run-storlet": "identity.py", "x-storlet-range": "bytes=20-" })).status).to.equal(416);
  });

  it("a plain Range with a storlet is refused (400, upstream's message)", async () => {
    const res = await send("GET", `/${c}/small`, { "x-run-storlet": "identity.py", range: "bytes=1-4" });
    expect(res.status).to.equal(400);
    expect(res.text).to.equal("Storlet execution with range header is not supported");
  });

  it("parameters from the query string and X-Storlet-Parameter-N, headers winning", async () => {
    const res = await send("GET", `/${c}/source.txt?op=print&param2=val2&flag`, { "x-run-storlet": "params.py" });
    expect(res.status).to.equal(200);
    expect(res.text).to.contain("op     print\n").and.contain("param2     val2\n").and.contain("flag     \n");
    expect(res.headers["x-object-meta-param2"]).to.equal("val2");
    const overridden = await send("GET", `/${c}/source.txt?param2=val2`, { "x-run-storlet": "params.py", "x-storlet-parameter-1": "param2:over%20ridden", "x-storlet-parameter-2": "k:v:w" });
    expect(overridden.text).to.contain("param2     over ridden\n").and.contain("k     v:w\n");
  });

  it("PUT: the storlet's output is what is stored, with its metadata merged into the request's", async () => {
    const put = await send("PUT", `/${c}/source.txt-put`, { "x-run-storlet": "half.py", "x-object-meta-client": "c" }, CONTENT);
    expect(put.status).to.equal(201);
    const stored = await send("GET", `/${c}/source.txt-put`);
    expect(stored.text).to.equal("acegikmn");
    expect(stored.headers["x-object-meta-client"]).to.equal("c");
    expect(stored.headers.etag).to.equal(createHash("md5").update("acegikmn").digest("hex"));
    const identity = await send("PUT", `/${c}/big`, { "x-run-storlet": "identity.py", "content-length": String(10 * 1024 * 1024) }, Buffer.alloc(10 * 1024 * 1024, "1"));
    expect(identity.status).to.equal(201);
    const head = await send("HEAD", `/${c}/big`);
    expect(head.headers["content-length"]).to.equal(String(10 * 1024 * 1024));
    expect(head.headers["x-object-meta-test"]).to.equal("simple");
  });

  it("copy, both spellings: the source through the storlet, X-Storlet-Generated-From* on the answer", async () => {
    const copied = await send("PUT", `/${c}/source.txt-copy`, { "x-run-storlet": "identity.py", "x-copy-from": `${c}/source.txt` });
    expect(copied.status).to.equal(201);
    expect(copied.headers["x-storlet-generated-from"]).to.equal(`${c}/source.txt`);
    expect(copied.headers["x-storlet-generated-from-account"]).to.equal(storageUrl.split("/").pop());
    expect(copied.headers["x-storlet-generated-from-last-modified"]).to.be.a("string").and.not.equal("");
    const copyEx = await send("COPY", `/${c}/source.txt`, { "x-run-storlet": "identity.py", destination: `${c}/source.txt-copy-ex` });
    expect(copyEx.status).to.equal(201);
    expect(copyEx.headers["x-storlet-generated-from"]).to.equal(`${c}/source.txt`);
    for (const name of ["source.txt-copy", "source.txt-copy-ex"]) {
      const head = await send("HEAD", `/${c}/${name}`);
      expect(head.headers["content-length"], name).to.equal("16");
      expect(head.headers["x-object-meta-test"], name).to.equal("simple");
      expect(head.headers["x-object-meta-testkey"], name).to.equal("tester");
      expect(head.headers["x-timestamp"], name).to.be.a("string");
      expect(head.headers, name).to.not.have.property("x-object-meta-x-timestamp");
    }
    const noDestination = await send("COPY", `/${c}/source.txt`, { "x-run-storlet": "identity.py" });
    expect(noDestination.status).to.equal(412);
    expect(noDestination.text).to.equal("Destination header required");
    const fresh = await send("PUT", `/${c}/x`, { "x-run-storlet": "identity.py", "x-copy-from": `${c}/source.txt`, "x-fresh-metadata": "true" });
    expect(fresh.status).to.equal(400);
    expect(fresh.text).to.equal("Storlet on copy with X-Fresh-Metadata is not supported");
  });

  it("several inputs: GET, PUT and copy with X-Storlet-Extra-Resources", async () => {
    const got = await send("GET", `/${c}/small`, { "x-run-storlet": "multi.py", "x-storlet-extra-resources": `/${c}/small2` });
    expect(got.text).to.equal(SMALL + SMALL2);
    expect(got.headers["x-object-meta-key1"]).to.equal("value1");
    expect(got.headers["x-object-meta-key2"]).to.equal("value2");
    const put = await send("PUT", `/${c}/put-multi`, { "x-run-storlet": "multi.py", "x-storlet-extra-resources": `/${c}/small2` }, SMALL);
    expect(put.status).to.equal(201);
    expect((await send("GET", `/${c}/put-multi`)).text).to.equal(SMALL + SMALL2);
    const copied = await send("PUT", `/${c}/copied`, { "x-run-storlet": "multi.py", "x-copy-from": `/${c}/small`, "x-storlet-extra-resources": `/${c}/small2` });
    expect(copied.status).to.equal(201);
    expect(copied.headers.etag).to.equal(createHash("md5").update(SMALL + SMALL2).digest("hex"));
    const stored = await send("GET", `/${c}/copied`);
    expect(stored.text).to.equal(SMALL + SMALL2);
    expect(stored.headers["x-object-meta-key1"]).to.equal("value1");
    expect(stored.headers["x-object-meta-key2"]).to.equal("value2");
    const bad = await send("GET", `/${c}/small`, { "x-run-storlet": "multi.py", "x-storlet-extra-resources": `${c}/small2` });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.equal("X-Storlet-Extra-Resource must be a csv with/container/object format");
  });

  it("metadata: every key of the object kept, the storlet's added", async () => {
    const md = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x-object-meta-key${i + 1}`, String(i + 1)]));
    await send("PUT", `/${c}/meta`, md, "some data");
    const res = await send("GET", `/${c}/meta`, { "x-run-storlet": "partial.py" });
    expect(res.text).to.equal("1234567890");
    for (const [k, v] of Object.entries(md)) expect(res.headers[k], k).to.equal(v);
    expect(res.headers["x-object-meta-override_key"]).to.equal("new_value");
  });

  it("a dependency deployed beside the storlet runs (exec_dep)", async () => {
    const res = await send("GET", `/${c}/source.txt`, { "x-run-storlet": "execdep.py" });
    expect(res.status).to.equal(200);
    expect(res.headers["x-object-meta-depend-ret-code"]).to.equal("42");
  });

  it("a broken storlet: 503 on GET, 500 on PUT and copy", async () => {
    expect((await send("GET", `/${c}/source.txt`, { "x-run-storlet": "broken.py" })).status).to.equal(503);
    expect((await send("GET", `/${c}/source.txt?op=crash`, { "x-run-storlet": "params.py" })).status).to.equal(503);
    const put = await send("PUT", `/${c}/broken-put`, { "x-run-storlet": "broken.py" }, CONTENT);
    expect(put.status).to.equal(500);
    expect(put.text).to.equal("Storlet execution failed");
    expect((await send("HEAD", `/${c}/broken-put`)).status).to.equal(404);
    expect((await send("PUT", `/${c}/broken-copy`, { "x-run-storlet": "broken.py", "x-copy-from": `${c}/source.txt` })).status).to.equal(500);
  });

  it("a failure after the first byte aborts the chunked response (never a short 200)", async () => {
    const res = await request(`${storageUrl}/${c}/source.txt?op=hold`, { headers: { "x-auth-token": token, "x-run-storlet": "params.py" } });
    expect(res.statusCode).to.equal(200);
    let received = "";
    let failed = false;
    try {
      for await (const chunk of res.body) received += (chunk as Buffer).toString();
    } catch {
      failed = true;
    }
    expect(received).to.equal("started\n");
    expect(failed).to.equal(true);
    // and a PUT whose storlet stalls stores nothing
    const put = await send("PUT", `/${c}/stalled?op=hold`, { "x-run-storlet": "params.py" }, CONTENT);
    expect(put.status).to.equal(500);
    expect((await send("HEAD", `/${c}/stalled`)).status).to.equal(404);
  });

  it("10 parallel invocations each get their own answer", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => send("GET", `/${c}/source.txt?op=print&n=${i}`, { "x-run-storlet": "params.py" })));
    results.forEach((res, i) => {
      expect(res.status).to.equal(200);
      expect(res.text).to.contain(`n     ${i}\n`);
    });
  });

  it("upstream's refusals: 405 for HEAD/DELETE, 401 for a storlet that cannot be read, 400 for a disabled account, 403 for a storlets Referer", async () => {
    for (const method of ["HEAD", "DELETE"]) expect((await send(method, `/${c}/source.txt`, { "x-run-storlet": "identity.py" })).status, method).to.equal(405);
    const missing = await send("GET", `/${c}/source.txt`, { "x-run-storlet": "nothere.py" });
    expect(missing.status).to.equal(401);
    expect(missing.text).to.match(/^Failed to verify access to the storlet/);
    // test:tester3 is no account admin and has no read access to container storlet
    const auth = await request(`${gateway.url}/auth/v1.0`, { headers: { "x-auth-user": swift.reader.user, "x-auth-key": swift.reader.key } });
    await auth.body.dump();
    const reader = await request(`${storageUrl}/${c}/source.txt`, { headers: { "x-auth-token": String(auth.headers["x-auth-token"]), "x-run-storlet": "identity.py" } });
    await reader.body.dump();
    expect(reader.statusCode).to.equal(401);
    await send("POST", "", { "x-account-meta-storlet-enabled": "False" });
    try {
      const disabled = await send("GET", `/${c}/source.txt`, { "x-run-storlet": "identity.py" });
      expect(disabled.status).to.equal(400);
      expect(disabled.text).to.equal("Account disabled for storlets");
    } finally {
      await send("POST", "", { "x-account-meta-storlet-enabled": "True" });
    }
    const referer = await send("GET", `/${c}/source.txt`, { referer: "http://x/storlets.john_a" });
    expect(referer.status).to.equal(403);
    // without X-Run-Storlet (or on a container) requests pass through untouched
    expect((await send("GET", `/${c}/source.txt`)).text).to.equal(CONTENT);
    expect((await send("GET", `/${c}`, { "x-run-storlet": "identity.py" })).status).to.equal(200);
  });

  it("deployments are checked as upstream checks them (PUT to storlet and dependency)", async () => {
    const base = { "x-object-meta-storlet-language": "Python", "x-object-meta-storlet-interface-version": "1.0", "x-object-meta-storlet-object-metadata": "no" };
    const cases: Array<[string, Record<string, string>, string]> = [
      ["storlet/a.py", { ...base }, "Mandatory parameter is missing: Main"],
      ["storlet/a.py", { ...base, "x-object-meta-storlet-main": "b.AStorlet" }, "Main class should be included in storlet file"],
      ["storlet/a.py", { ...base, "x-object-meta-storlet-main": "a.b.AStorlet" }, "Submodule is currently not supported"],
      ["storlet/a.txt", { ...base, "x-object-meta-storlet-main": "a.AStorlet" }, "Storlet name is incorrect"],
      ["storlet/a.py", { ...base, "x-object-meta-storlet-main": "a.AStorlet", "x-object-meta-storlet-language-version": "2.7" }, "Not supported version specified"],
      ["storlet/a.py", { ...base, "x-object-meta-storlet-language": "cobol", "x-object-meta-storlet-main": "a.AStorlet" }, "Unsupported Language"],
      ["storlet/a.py", { ...base, "x-object-meta-storlet-main": "a.AStorlet", "x-object-meta-storlet-dependency": "d,d" }, "Duplicated name in dependencies"],
      ["dependency/d", {}, "Mandatory parameter is missing: Dependency-Version"],
      ["dependency/d", { "x-object-meta-storlet-dependency-version": "1", "x-object-meta-storlet-dependency-permissions": "0400" }, "The owner should have rw permission"],
    ];
    for (const [path, headers, message] of cases) {
      const res = await send("PUT", `/${path}`, headers, "x");
      expect(res.status, `${path} ${message}`).to.equal(400);
      expect(res.text, path).to.equal(message);
    }
    expect((await send("GET", "/storlet/a.py")).status).to.equal(404);
  });

  it("a storlet updated in place runs in its new version (and so does a dependency)", async () => {
    const env = { ST_AUTH: `${gateway.url}/auth/v1.0`, ST_USER: swift.user, ST_KEY: swift.key };
    const name = `v${randomBytes(4).toString("hex")}`;
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "skybutler-storlet-"));
    try {
      const write = (version: string) =>
        writeFileSync(join(dir, `${name}.py`), `class V(object):\n    def __init__(self, logger):\n        pass\n    def __call__(self, i, o, p):\n        o[0].set_metadata({})\n        o[0].write(b'${version}' + open(p['storlet_execution_path'] + '/dep.txt', 'rb').read())\n`);
      const { localStorletCode } = await import("../../src/storlets/local-code.js");
      write("one-");
      writeFileSync(join(dir, "dep.txt"), "A");
      await deployStorlet(await localStorletCode(join(dir, `${name}.py`), { main: `${name}.V`, dependencies: [join(dir, "dep.txt")] }), "swift://storlet", { env });
      expect((await send("GET", `/${c}/small`, { "x-run-storlet": `${name}.py` })).text).to.equal("one-A");
      write("two-");
      writeFileSync(join(dir, "dep.txt"), "B");
      await deployStorlet(await localStorletCode(join(dir, `${name}.py`), { main: `${name}.V`, dependencies: [join(dir, "dep.txt")] }), "swift://storlet", { env });
      expect((await send("GET", `/${c}/small`, { "x-run-storlet": `${name}.py` })).text).to.equal("two-B");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A real `skybutler serve` (the built binary) against bad input: malformed messages, unknown and
 * removed actions, traversal keys, oversized bodies, corrupted bodies, wrong or missing tokens. Each
 * gets a typed `{code, message}` answer with a fitting status; nothing is written where it must
 * not be; no answer carries a stack trace, a server path or a token; the server stays up.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Client } from "undici";
import { runCli, startServe, tokenFile, TOKENS, type ServeProcess } from "../support/cli.js";

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  json: Record<string, unknown> | undefined;
}

async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer | Readable } = {}): Promise<Answer> {
  // a Client sends the path as given: a URL would resolve %2e%2e segments before they reach the server
  const { origin, pathname, search } = new URL(url);
  const raw = url.slice(origin.length) || `${pathname}${search}`;
  const client = new Client(origin);
  const res = await client.request({ path: raw, method: (init.method ?? "GET") as "GET", headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) });
  void client.close();
  const text = await res.body.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

describe("skybutler serve: bad input", function () {
  this.timeout(30_000);
  let work: string;
  let repoDir: string;
  let server: ServeProcess;
  let tokens: ReturnType<typeof tokenFile>;
  let base: string;
  const auth = (scope: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[scope]}` });

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-bad-input-"));
    repoDir = join(work, "repo");
    await mkdir(join(work, "data"), { recursive: true });
    tokens = tokenFile([[TOKENS.read, "read"], [TOKENS.write, "write"], [TOKENS.admin, "admin"]]);
    server = await startServe(["--port", "0", "--repo", `r=${repoDir}`, "--token-file", tokens.path, "--data-root", join(work, "data"), "--max-object-bytes", "100000"]);
    base = `${server.url}/api/v1`;
  });
  after(async () => {
    await server.stop();
    tokens.remove();
    await rm(work, { recursive: true, force: true });
  });

  /** No stack, no server path, no token in any answer. */
  function clean(a: Answer): void {
    expect(a.text).to.not.match(/\n\s+at |node:internal|\.ts:\d+|\.js:\d+/);
    expect(a.text).to.not.include(work);
    for (const t of Object.values(TOKENS)) expect(a.text).to.not.include(t);
  }

  it("a malformed message is 400 E_USAGE with pfstorage's status/msg, whatever the Content-Type", async () => {
    for (const [body, type] of [["{bad json", "application/json"], ["{bad json", "application/x-www-form-urlencoded"], ["", "text/plain"], ['"just a string"', "application/json"], ['{"meta":{}}', "application/json"], ['{"action":"ls","meta":[1]}', "application/json"]] as const) {
      const a = await call(`${base}/cmd`, { method: "POST", headers: { ...auth("read"), "content-type": type }, body });
      expect(a.status, body).to.equal(400);
      expect(a.headers["content-type"]).to.match(/^application\/json/);
      expect(a.json).to.include({ status: false, code: "E_USAGE" });
      expect(a.json!.msg).to.be.a("string").and.not.equal("");
      clean(a);
    }
  });

  it("unknown actions, internalctl and remote shutdown are refused; the server stays up", async () => {
    const unknown = await call(`${base}/cmd`, { method: "POST", headers: auth("admin"), body: '{"action":"frobnicate","meta":{}}' });
    expect(unknown.status).to.equal(400);
    expect(unknown.json).to.include({ status: false, code: "E_USAGE" });
    expect(unknown.json!.msg).to.include("hello, ls, objPull, objPush, objPut");
    const ctl = await call(`${base}/cmd`, { method: "POST", headers: auth("admin"), body: '{"action":"internalctl","meta":{"var":"/swift/key","get":"value"}}' });
    expect(ctl.status).to.equal(400);
    const quit = await call(`${base}/cmd`, { method: "POST", headers: auth("admin"), body: '{"action":"hello","meta":{"ctl":{"serverCmd":"quit"}}}' });
    expect(quit.status).to.equal(403);
    expect(quit.json).to.include({ status: false, code: "E_PERMISSION_DENIED" });
    const hello = await call(`${base}/cmd`, { method: "POST", headers: auth("read"), body: '{"action":"hello","meta":{"askAbout":"echoBack","echoBack":"still here"}}' });
    expect(hello.json).to.deep.equal({ d_ret: { name: "skybutler", version: hello.json!.d_ret && (hello.json!.d_ret as { version: string }).version, echoBack: { msg: "still here" } }, status: true });
    const get = await call(`${base}/cmd`, { headers: auth("read") });
    expect(get.status).to.equal(405);
    const nowhere = await call(`${server.url}/nowhere`);
    expect(nowhere.status).to.equal(404);
    expect(nowhere.json).to.include({ code: "E_USAGE" });
  });

  it("missing, wrong and too weak tokens: 401 E_AUTH and 403 E_PERMISSION_DENIED; lower-case bearer works; no token in the log", async () => {
    const put = (headers: Record<string, string>) => call(`${base}/repos/r/objects/a.txt`, { method: "PUT", headers, body: "x" });
    const none = await put({});
    expect(none.status).to.equal(401);
    expect(none.json).to.include({ code: "E_AUTH" });
    expect(none.headers["www-authenticate"]).to.match(/^Bearer/);
    expect((await put({ authorization: "Bearer wrong-token-wrong-token-1234" })).status).to.equal(401);
    expect((await put({ authorization: `Basic ${Buffer.from("a:b").toString("base64")}` })).status).to.equal(401);
    const weak = await put(auth("read"));
    expect(weak.status).to.equal(403);
    expect(weak.json).to.include({ code: "E_PERMISSION_DENIED" });
    expect(existsSync(join(repoDir, "a.txt"))).to.equal(false);
    expect((await call(`${base}/repos/r/objects/a.txt`)).status, "reads need a token too without --public-read").to.equal(401);
    // pfurl sends "bearer" in lower case
    expect((await put({ authorization: `bearer ${TOKENS.write}` })).status).to.equal(201);
    expect(await readFile(join(repoDir, "a.txt"), "utf8")).to.equal("x");
    const sysinfo = await call(`${base}/cmd`, { method: "POST", headers: auth("write"), body: '{"action":"hello","meta":{"askAbout":"sysinfo"}}' });
    expect(sysinfo.status, "sysinfo needs admin").to.equal(403);
    const admin = await call(`${base}/cmd`, { method: "POST", headers: auth("admin"), body: '{"action":"hello","meta":{"askAbout":"sysinfo"}}' });
    expect(Object.keys((admin.json!.d_ret as { sysinfo: object }).sysinfo)).to.include.members(["system", "machine", "platform", "uname", "memory", "cpucount", "loadavg", "cpu_percent", "hostname", "inet"]);
    const log = server.stderr();
    expect(log).to.include("/api/v1/repos/r/objects/a.txt");
    for (const t of [...Object.values(TOKENS), "wrong-token-wrong-token-1234"]) expect(log).to.not.include(t);
  });

  it("traversal keys are 400 E_INVALID_KEY and nothing is written outside the repository", async () => {
    for (const path of ["/repos/r/objects/%2e%2e/escape.txt", "/repos/r/objects/a/%2E%2E/%2E%2E/escape.txt", "/repos/r/objects/%2Fetc%2Fescape", "/repos/r/objects/a%5C..%5Cescape"]) {
      const a = await call(`${base}${path}`, { method: "PUT", headers: auth("write"), body: "evil" });
      expect(a.status, path).to.equal(400);
      expect(a.json).to.include({ code: "E_INVALID_KEY" });
      clean(a);
    }
    expect(await readdir(work)).to.have.members(["repo", "data"]);
    // objPull's mapLocationOver outside the data root, and an absolute one
    for (const map of ["../outside", "/tmp/outside"]) {
      const pull = await call(`${base}/cmd`, { method: "POST", headers: auth("write"), body: JSON.stringify({ action: "objPull", meta: { path: "", mapLocationOver: map } }) });
      expect(pull.status, map).to.equal(400);
      expect(pull.json).to.include({ status: false, code: "E_INVALID_KEY" });
      clean(pull);
    }
    expect(await readdir(work)).to.have.members(["repo", "data"]);
  });

  it("oversized bodies are 413 E_TOO_LARGE, declared or chunked, and nothing is stored", async () => {
    const big = await call(`${base}/repos/r/objects/big.bin`, { method: "PUT", headers: auth("write"), body: Buffer.alloc(200_000, 1) });
    expect(big.status).to.equal(413);
    expect(big.json).to.include({ code: "E_TOO_LARGE" });
    const chunked = await call(`${base}/repos/r/objects/big.bin`, {
      method: "PUT",
      headers: auth("write"),
      body: Readable.from((function* () {
        for (let i = 0; i < 40; i++) yield Buffer.alloc(10_000, 2);
      })()),
    });
    expect(chunked.status).to.equal(413);
    expect(existsSync(join(repoDir, "big.bin"))).to.equal(false);
    const message = await call(`${base}/cmd`, { method: "POST", headers: auth("read"), body: JSON.stringify({ action: "hello", meta: { echoBack: "x".repeat(2 * 1024 * 1024) } }) });
    expect(message.status).to.equal(413);
    expect(message.json).to.include({ status: false, code: "E_TOO_LARGE" });
    // the server is still up and serving
    expect((await call(`${base}/repos/r/objects/a.txt`, { headers: auth("read") })).status).to.equal(200);
  });

  it("a body that does not match its Content-MD5 is 422 E_CHECKSUM and the old object stays", async () => {
    await call(`${base}/repos/r/objects/k.txt`, { method: "PUT", headers: auth("write"), body: "old" });
    const md5 = createHash("md5").update("what was meant").digest("base64");
    const a = await call(`${base}/repos/r/objects/k.txt`, { method: "PUT", headers: { ...auth("write"), "content-md5": md5 }, body: "what arrived" });
    expect(a.status).to.equal(422);
    expect(a.json).to.include({ code: "E_CHECKSUM" });
    expect(await readFile(join(repoDir, "k.txt"), "utf8")).to.equal("old");
    const good = createHash("md5").update("new").digest("base64");
    expect((await call(`${base}/repos/r/objects/k.txt`, { method: "PUT", headers: { ...auth("write"), "content-md5": good }, body: "new" })).status).to.equal(201);
    expect(await readFile(join(repoDir, "k.txt"), "utf8")).to.equal("new");
  });

  it("ranges: 206 with Content-Range, 416 past the end, 304 for a matching ETag", async () => {
    await writeFile(join(repoDir, "r.bin"), "0123456789");
    const part = await call(`${base}/repos/r/objects/r.bin`, { headers: { ...auth("read"), range: "bytes=2-5" } });
    expect([part.status, part.text, part.headers["content-range"]]).to.deep.equal([206, "2345", "bytes 2-5/10"]);
    const suffix = await call(`${base}/repos/r/objects/r.bin`, { headers: { ...auth("read"), range: "bytes=-3" } });
    expect(suffix.text).to.equal("789");
    const past = await call(`${base}/repos/r/objects/r.bin`, { headers: { ...auth("read"), range: "bytes=10-" } });
    expect([past.status, past.headers["content-range"], past.json?.code]).to.deep.equal([416, "bytes */10", "E_USAGE"]);
    // fastify meets a malformed URL before any route: the answer is typed all the same
    const badUrl = await call(`${base}/repos/r/objects/%zz`, { headers: auth("read") });
    expect([badUrl.status, badUrl.json?.code]).to.deep.equal([400, "E_USAGE"]);
    const etag = String((await call(`${base}/repos/r/objects/r.bin`, { method: "HEAD", headers: auth("read") })).headers.etag);
    const same = await call(`${base}/repos/r/objects/r.bin`, { headers: { ...auth("read"), "if-none-match": etag } });
    expect([same.status, same.text]).to.deep.equal([304, ""]);
  });

  it("refuses to start with a token file readable by others, or with no way to read", async () => {
    const open = tokenFile([[TOKENS.read, "read"]], 0o644);
    try {
      const r = await runCli(["serve", "--port", "0", "--token-file", open.path]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^E_CONFIG: .*chmod 600/m);
      expect(r.stdout).to.equal("");
    } finally {
      open.remove();
    }
    const nobody = await runCli(["serve", "--port", "0"]);
    expect(nobody.code).to.equal(1);
    expect(nobody.stderr).to.match(/^E_CONFIG: .*--public-read/m);
    const bad = await runCli(["serve", "--port", "70000"]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/^E_USAGE: /m);
  });
});

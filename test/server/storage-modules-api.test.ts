/**
 * The storage-module admin API of a real `skybutler serve` (the built binary), its
 * storage-modules.yaml in a sandbox: PUT/GET/DELETE /api/v1/system/storage-modules/NAME with Mezeo's
 * body, the admin scope, secrets never answered (and kept when sent back redacted), and 400, 404,
 * 409 as they fit. What the server writes is the file every other process reads.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";
import { storageFromUri } from "../../src/storage/schemes.js";
import { startServe, tokenFile, TOKENS, type ServeProcess } from "../support/cli.js";
import { modulesSandbox, type ModulesSandbox } from "../support/module-stacks.js";

const SECRET = "s3cr3t-password-never-echoed";

interface Answer {
  status: number;
  code: string | undefined;
  text: string;
  json: Record<string, unknown> | undefined;
}

describe("skybutler serve: /api/v1/system/storage-modules", function () {
  this.timeout(60_000);
  let box: ModulesSandbox;
  let tokens: ReturnType<typeof tokenFile>;
  let server: ServeProcess;
  let keyFile: string;

  async function call(method: string, path: string, scope: keyof typeof TOKENS | undefined, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = scope === undefined ? {} : { authorization: `Bearer ${TOKENS[scope]}` };
    const res = await fetch(`${server.url}/api/v1/system/storage-modules${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    return { status: res.status, code: json?.code as string | undefined, text, json };
  }
  const yaml = async (): Promise<Record<string, { module: string; description?: string; args?: Record<string, unknown> }>> => parse(await readFile(box.file, "utf8")) ?? {};

  before(async () => {
    box = await modulesSandbox((dir) => ({
      served: { module: "skybutler:checksum", args: { over: pathToFileURL(join(dir, "served-base")).href } },
    }));
    keyFile = join(box.sandbox, "key.hex");
    await writeFile(keyFile, randomBytes(32).toString("hex"), { mode: 0o600 });
    tokens = tokenFile([[TOKENS.read, "read"], [TOKENS.write, "write"], [TOKENS.admin, "admin"]]);
    // the server's environment names the sandbox's file (modulesSandbox set it in this process)
    server = await startServe(["--port", "0", "--repo", "r=served://repo", "--token-file", tokens.path, "--quiet"]);
  });
  after(async () => {
    await server.stop();
    tokens.remove();
    await box.cleanup();
  });

  it("needs the admin scope, for reads too", async () => {
    expect((await call("GET", "", undefined)).status).to.equal(401);
    for (const scope of ["read", "write"] as const) {
      const listed = await call("GET", "", scope);
      expect([listed.status, listed.code]).to.deep.equal([403, "E_PERMISSION_DENIED"]);
      expect((await call("PUT", "/xx", scope, { module: "skybutler:checksum" })).status).to.equal(403);
      expect((await call("DELETE", "/served", scope)).status).to.equal(403);
    }
    expect(Object.keys(await yaml())).to.deep.equal(["served"]);
  });

  it("PUT (204) writes the YAML file other processes open; GET lists and answers one; secrets come back as ***", async () => {
    const base = pathToFileURL(join(box.sandbox, "api-base")).href;
    const put = await call("PUT", "/checked", "admin", { module: "skybutler:checksum", description: "checked copies", args: { over: base } });
    expect([put.status, put.text]).to.deep.equal([204, ""]);
    const secure = { module: "skybutler:encrypt", description: "encrypted", args: { over: "checked://", keyFile, password: SECRET, nested: { apiKey: SECRET } } };
    expect((await call("PUT", "/secure", "admin", secure)).status).to.equal(204);
    expect((await yaml()).secure).to.deep.equal(secure);
    expect((await stat(box.file)).mode & 0o777).to.equal(0o600);

    const one = await call("GET", "/secure", "admin");
    expect(one.status).to.equal(200);
    expect(one.text).to.not.include(SECRET);
    expect(one.json).to.deep.equal({ name: "secure", module: "skybutler:encrypt", description: "encrypted", args: { over: "checked://", keyFile, password: "***", nested: { apiKey: "***" } } });
    const all = await call("GET", "", "admin");
    expect(all.text).to.not.include(SECRET);
    expect((all.json!.modules as Array<{ name: string }>).map((m) => m.name)).to.deep.equal(["checked", "secure", "served"]);

    // an admin UI sends back what it got, with a new description: the password stays
    const edited = { ...one.json, description: "encrypted, checked" } as Record<string, unknown>;
    delete edited.name;
    expect((await call("PUT", "/secure", "admin", edited)).status).to.equal(204);
    expect((await yaml()).secure).to.deep.equal({ ...secure, description: "encrypted, checked" });

    // the new module works for any process that reads the file: secure://r is encrypted and checked on disk
    const s = await storageFromUri("secure://r", { create: true });
    await s.write("a.txt", "plain text");
    expect((await s.read("a.txt")).toString()).to.equal("plain text");
    await s.close();
    expect((await readFile(join(box.sandbox, "api-base", "r", "a.txt"))).includes(Buffer.from("plain text"))).to.equal(false);
  });

  it("400 for a bad body, 409 for a built-in scheme's name, 413 for a huge body — nothing written", async () => {
    const before = await readFile(box.file, "utf8");
    const cases: Array<[string, unknown, RegExp]> = [
      ["/xx", `{"module": "skybutler:checksum", "args": {"password": "${SECRET}"`, /^the body must be JSON/],
      ["/xx", [1, 2], /must be a mapping with "module"/],
      ["/xx", { description: "no module" }, /needs "module"/],
      ["/xx", { module: "skybutler:checksum", args: ["over", SECRET] }, /"args" of storage module "xx" in the request body must be a mapping/],
      ["/xx", { module: "skybutler:checksum", colour: SECRET }, /unknown field\(s\) colour/],
      ["/Bad_Name", { module: "skybutler:checksum" }, /not usable as a URI scheme/],
      ["/x", { module: "skybutler:checksum" }, /not usable as a URI scheme/],
    ];
    for (const [path, body, message] of cases) {
      const answer = await call("PUT", path, "admin", body);
      expect([answer.status, answer.code], answer.text).to.deep.equal([400, "E_USAGE"]);
      expect(answer.json!.message).to.match(message);
      expect(answer.text).to.not.include(SECRET).and.not.include(box.sandbox);
    }
    const builtin = await call("PUT", "/swift", "admin", { module: "skybutler:checksum", args: { over: "file:///x" } });
    expect([builtin.status, builtin.code, builtin.json!.message]).to.deep.equal([409, "E_CONFIG", '"swift" is a built-in URI scheme; choose another storage module name']);
    const huge = await call("PUT", "/xx", "admin", { module: "skybutler:checksum", description: "x".repeat(2 * 1024 * 1024) });
    expect([huge.status, huge.code]).to.deep.equal([413, "E_TOO_LARGE"]);
    expect(await readFile(box.file, "utf8")).to.equal(before);
  });

  it("DELETE: 204, then 404; 409 while a module wraps it or a served repository uses it", async () => {
    expect((await call("PUT", "/lower", "admin", { module: "skybutler:checksum", args: { over: pathToFileURL(join(box.sandbox, "lower")).href } })).status).to.equal(204);
    expect((await call("PUT", "/upper", "admin", { module: "skybutler:checksum", args: { over: "lower://" } })).status).to.equal(204);
    const wrapped = await call("DELETE", "/lower", "admin");
    expect([wrapped.status, wrapped.json!.message]).to.deep.equal([409, 'storage module "lower" is wrapped by "upper"; remove those first']);
    const served = await call("DELETE", "/served", "admin");
    expect([served.status, served.json!.message]).to.deep.equal([409, 'storage module "served" holds the served repositories "r"; stop serving them first']);
    expect((await call("DELETE", "/upper", "admin")).status).to.equal(204);
    expect((await call("DELETE", "/lower", "admin")).status).to.equal(204);
    expect(Object.keys(await yaml())).to.not.include.members(["upper", "lower"]);
    const gone = await call("DELETE", "/lower", "admin");
    expect([gone.status, gone.code]).to.deep.equal([404, "E_NOT_FOUND"]);
    const get = await call("GET", "/lower", "admin");
    expect([get.status, get.code, get.json!.message]).to.deep.equal([404, "E_NOT_FOUND", 'no storage module "lower" on this server; GET /api/v1/system/storage-modules lists them']);
    // the served repository still works
    const objects = await fetch(`${server.url}/api/v1/repos/r/objects/k`, { method: "PUT", headers: { authorization: `Bearer ${TOKENS.write}` }, body: "v" });
    expect(objects.status).to.be.oneOf([200, 201, 204]);
  });

  it("a read-only server refuses changes (403) and still lists", async () => {
    const readOnly = await startServe(["--port", "0", "--token-file", tokens.path, "--read-only", "--quiet"]);
    try {
      const res = await fetch(`${readOnly.url}/api/v1/system/storage-modules/xx`, { method: "PUT", headers: { authorization: `Bearer ${TOKENS.admin}` }, body: JSON.stringify({ module: "skybutler:checksum" }) });
      expect(res.status).to.equal(403);
      const listed = await fetch(`${readOnly.url}/api/v1/system/storage-modules`, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
      expect(listed.status).to.equal(200);
    } finally {
      await readOnly.stop();
    }
  });
});

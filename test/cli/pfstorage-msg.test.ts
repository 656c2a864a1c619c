/**
 * pfstorage's protocol, kept and fixed: `skybutler --msg` with pfstorage's own flags
 * (`--type swift --ipSwift --portSwift --container`, ST_USER/ST_KEY) against the real test Swift, and
 * `POST /api/v1/cmd` on a real `skybutler serve` sent the bytes pfurl sends (form Content-Type,
 * `Mode: control`, lower-case `bearer`, the `payload` wrapper). The JSON keys and nesting are
 * pfstorage's; the location mapping replaces a prefix only and never leaves the target.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { runCli, startServe, tokenFile, TOKENS, type ServeProcess } from "../support/cli.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { rawObjectRequest } from "../support/swift-raw.js";
import { swiftServer, type SwiftServer } from "../support/swift-server.js";

const run = promisify(execFile);

describe("pfstorage's --msg and /api/v1/cmd", function () {
  this.timeout(60_000);
  let server: SwiftServer;
  let admin: SwiftAdmin;
  let container: string;
  let work: string;
  let pf: string[];
  let env: Record<string, string>;

  before(async () => {
    server = await swiftServer();
    admin = new SwiftAdmin(server);
    container = uniqueContainer("pf");
    await admin.createContainer(container);
    const { hostname, port } = new URL(server.authUrl);
    pf = ["--type", "swift", "--ipSwift", hostname, "--portSwift", port, "--container", container];
    env = { ST_USER: server.user, ST_KEY: server.key };
  });
  after(async () => {
    await admin.removeContainer(container);
  });
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-pf-"));
    await mkdir(join(work, "data", "dir1"), { recursive: true });
    await writeFile(join(work, "data", "file1"), "one");
    await writeFile(join(work, "data", "dir1", "file_d1"), "d1");
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const msg = async (m: unknown) => {
    const r = await runCli(["--msg", JSON.stringify(m), ...pf], { cwd: work, env });
    return { ...r, json: JSON.parse(r.stdout) as Record<string, unknown> };
  };

  it("objPut maps a leading prefix once, walks files before subdirectories, and prints pfstorage's JSON", async () => {
    const r = await msg({ action: "objPut", meta: { putSpec: "./data", inLocation: "storage/data", mapLocationOver: "./data" } });
    expect(r.code, r.stderr).to.equal(0);
    // pfstorage's format: indent 4, keys in pfstorage's order
    expect(r.stdout).to.equal(
      `${JSON.stringify({ status: true, localFileList: ["./data/file1", "./data/dir1/file_d1"], objectFileList: ["storage/data/file1", "storage/data/dir1/file_d1"], localpath: "./data" }, null, 4)}\n`,
    );
    // pfstorage's str.replace would have turned data/…/data/x into storage/…/storage/x
    await mkdir(join(work, "data", "data"), { recursive: true });
    await writeFile(join(work, "data", "data", "x"), "x");
    const again = await msg({ action: "objPush", meta: { putSpec: "data", inLocation: "second" } });
    expect(again.json.objectFileList).to.deep.equal(["second/file1", "second/data/x", "second/dir1/file_d1"]);
  });

  it("ls: retSpec records, [] for the raw shape, substr, an empty result, non-ASCII escaped", async () => {
    await msg({ action: "objPut", meta: { putSpec: "data", inLocation: "ls" } });
    await mkdir(join(work, "uni"));
    await writeFile(join(work, "uni", "é.txt"), "accent");
    await msg({ action: "objPut", meta: { putSpec: "uni" } });
    const names = await msg({ action: "ls", meta: { path: "ls" } });
    expect(names.json).to.deep.equal({ status: true, ls: [{ name: "ls/dir1/file_d1" }, { name: "ls/file1" }] });
    const full = await msg({ action: "ls", meta: { path: "ls/", substr: "file1", retSpec: ["name", "bytes", "hash"] } });
    const head = await admin.send("HEAD", `/${container}/ls/file1`);
    expect(full.json).to.deep.equal({ status: true, ls: [{ name: "ls/file1", bytes: 3, hash: head.headers.etag }] });
    const raw = await msg({ action: "ls", meta: { path: "./ls", retSpec: [] } });
    const rawLs = raw.json.ls as { status: boolean; objectDict: Array<Record<string, unknown>>; lsList: string[]; fullPath: string };
    expect(rawLs.lsList).to.deep.equal(["ls/dir1/file_d1", "ls/file1"]);
    expect(Object.keys(rawLs.objectDict[0]!)).to.deep.equal(["bytes", "hash", "name", "content_type", "last_modified"]);
    expect(rawLs.objectDict[0]!.last_modified).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const empty = await msg({ action: "ls", meta: { path: "nothing-here/" } });
    expect([empty.code, empty.json]).to.deep.equal([0, { status: true, ls: [] }]);
    const uni = await runCli(["--msg", JSON.stringify({ action: "ls", meta: { path: "\u00e9" } }), ...pf], { cwd: work, env });
    expect(uni.stdout).to.include('"name": "\\u00e9.txt"');
    const bad = await msg({ action: "ls", meta: { retSpec: ["size"] } });
    expect(bad.code, "a usage error").to.equal(2);
    expect(bad.json).to.include({ status: false, code: "E_USAGE" });
    expect(bad.stderr).to.match(/^E_USAGE: retSpec field "size"/);
  });

  it("objPull maps fromLocation → mapLocationOver as a prefix, refuses names that would escape, and counts them", async () => {
    await msg({ action: "objPut", meta: { putSpec: "data", inLocation: "chris/uploads/DICOM" } });
    await rawObjectRequest(server, admin, "PUT", container, "chris/uploads/DICOM/../../../escape.txt", "evil");
    try {
      const r = await msg({ action: "objPull", meta: { path: "chris", fromLocation: "chris/uploads/DICOM", mapLocationOver: "./pulled" } });
      expect(r.code).to.equal(1);
      expect(r.json.status).to.equal(false);
      expect(r.json.localFileList).to.deep.equal(["./pulled/dir1/file_d1", "./pulled/file1"]);
      expect(r.json.objectFileList).to.deep.equal(["chris/uploads/DICOM/dir1/file_d1", "chris/uploads/DICOM/file1"]);
      expect(r.json.localpath).to.equal("./pulled");
      expect(r.json.currentWorkingDir).to.be.a("string");
      const errors = r.json.errors as Array<{ key: string; code: string }>;
      expect(errors.map((e) => [e.key, e.code])).to.deep.equal([["chris/uploads/DICOM/../../../escape.txt", "E_INVALID_KEY"]]);
      expect(await readdir(work)).to.have.members(["data", "pulled"]);
      expect(await readFile(join(work, "pulled", "dir1", "file_d1"), "utf8")).to.equal("d1");
      // no mapLocationOver: the working directory (pfstorage wrote below "/")
      const here = await msg({ action: "objPull", meta: { path: "chris/uploads/DICOM/file1" } });
      expect(here.json.localFileList).to.deep.equal(["./chris/uploads/DICOM/file1"]);
      expect(await readFile(join(work, "chris", "uploads", "DICOM", "file1"), "utf8")).to.equal("one");
    } finally {
      await rawObjectRequest(server, admin, "DELETE", container, "chris/uploads/DICOM/../../../escape.txt");
    }
  });

  it("the command line's own failures: no storage, another --type, a bad message", async () => {
    const none = await runCli(["--msg", '{"action":"ls","meta":{}}'], { cwd: work });
    expect(none.code).to.equal(2);
    expect(none.stderr).to.match(/^E_USAGE: .*--storage/);
    const type = await runCli(["--msg", '{"action":"ls","meta":{}}', "--type", "s3", "--ipSwift", "127.0.0.1"], { cwd: work });
    expect(type.code).to.equal(2);
    const hello = await runCli(["--msg", '{"action":"hello","meta":{"askAbout":"timestamp"}}'], { cwd: work });
    expect(hello.code).to.equal(0);
    expect((JSON.parse(hello.stdout) as { d_ret: { timestamp: { now: string } } }).d_ret.timestamp.now).to.match(/^\d{14}\.\d{6}$/);
  });

  describe("over HTTP (POST /api/v1/cmd)", () => {
    let serve: ServeProcess;
    let tokens: ReturnType<typeof tokenFile>;
    let dataRoot: string;
    before(async () => {
      dataRoot = await mkdtemp(join(tmpdir(), "skybutler-pf-root-"));
      tokens = tokenFile([[TOKENS.read, "read"], [TOKENS.write, "write"]]);
      serve = await startServe(["--port", "0", "--repo", `users=swift://${container}`, "--token-file", tokens.path, "--data-root", dataRoot, "--quiet"], {
        env: { ST_AUTH: server.authUrl, ST_USER: server.user, ST_KEY: server.key },
      });
    });
    after(async () => {
      await serve.stop();
      tokens.remove();
      await rm(dataRoot, { recursive: true, force: true });
    });

    /** What pfurl sends: `--verb POST --raw --jsonwrapper payload --authToken T`. */
    const pfurl = async (m: unknown, token: string = TOKENS.write, wrap = true) => {
      const body = JSON.stringify(wrap ? { payload: m } : m).replace(/,/g, ", ").replace(/":/g, '": ');
      const { stdout } = await run("curl", ["-sS", "-w", "\n%{http_code}", "-H", "Mode: control", "-H", `Authorization: bearer ${token}`, "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body, `${serve.url}/api/v1/cmd`]);
      const lines = stdout.split("\n");
      return { status: Number(lines.pop()), json: JSON.parse(lines.join("\n")) as Record<string, unknown> };
    };

    it("answers pfurl's bytes with real HTTP and pfstorage's JSON, wrapped or bare, or as a form", async () => {
      const hello = await pfurl({ action: "hello", meta: { askAbout: "echoBack", echoBack: "Hi there!" } }, TOKENS.read);
      expect(hello.status).to.equal(200);
      expect(hello.json).to.deep.include({ status: true });
      expect((hello.json.d_ret as Record<string, unknown>).echoBack).to.deep.equal({ msg: "Hi there!" });
      const bare = await pfurl({ action: "ls", meta: { path: "chris/uploads/DICOM", retSpec: ["name"] } }, TOKENS.read, false);
      expect(bare.json).to.deep.equal({ status: true, ls: [{ name: "chris/uploads/DICOM/dir1/file_d1" }, { name: "chris/uploads/DICOM/file1" }] });
      const { stdout } = await run("curl", ["-sS", "-H", `Authorization: Bearer ${TOKENS.read}`, "--data-binary", "action=ls&meta[path]=chris/uploads/DICOM/f&meta[retSpec]=name,bytes", `${serve.url}/api/v1/cmd`]);
      expect(JSON.parse(stdout)).to.deep.equal({ status: true, ls: [{ name: "chris/uploads/DICOM/file1", bytes: 3 }] });
    });

    it("objPull and objPut stay below the data root, need the write scope, and never show server paths", async () => {
      const weak = await pfurl({ action: "objPull", meta: { fromLocation: "chris/uploads/DICOM", mapLocationOver: "in" } }, TOKENS.read);
      expect([weak.status, weak.json.code]).to.deep.equal([403, "E_PERMISSION_DENIED"]);
      const pull = await pfurl({ action: "objPull", meta: { fromLocation: "chris/uploads/DICOM", mapLocationOver: "in" } });
      expect(pull.status).to.equal(200);
      expect(pull.json).to.deep.include({ status: true, localFileList: ["in/dir1/file_d1", "in/file1"], localpath: "in", currentWorkingDir: "." });
      expect(await readFile(join(dataRoot, "in", "file1"), "utf8")).to.equal("one");
      const put = await pfurl({ action: "objPut", meta: { putSpec: "in", inLocation: "served/back" } });
      expect(put.json).to.deep.include({ status: true, objectFileList: ["served/back/file1", "served/back/dir1/file_d1"] });
      expect((await admin.names(container)).filter((n) => n.startsWith("served/"))).to.have.length(2);
      const missing = await pfurl({ action: "objPut", meta: { putSpec: "nope" } });
      expect([missing.status, missing.json.code]).to.deep.equal([404, "E_NOT_FOUND"]);
      expect(JSON.stringify(missing.json)).to.not.include(dataRoot);
    });
  });
});

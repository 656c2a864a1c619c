/**
 * `skybutler push` and `pull` (the built binary) on a local directory, on the real test Swift, and
 * through a real `skybutler serve` with that Swift behind it: round trips, `--skip-existing`,
 * `--jobs`, the summary line, `--json`, `--quiet`, exit statuses — and a pull from a Swift
 * container holding names that would escape the target (`a/../../x`, `/abs/x`): each refused with
 * E_INVALID_KEY and counted, the others pulled, nothing written outside.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, startServe, tokenFile, TOKENS } from "../support/cli.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { rawObjectRequest } from "../support/swift-raw.js";
import { swiftServer, type SwiftServer } from "../support/swift-server.js";

/** Every file below `dir`, relative path → content. */
async function tree(dir: string, base = dir): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, await tree(p, base));
    else out[p.slice(base.length + 1)] = await readFile(p, "utf8");
  }
  return out;
}

const FILES: Record<string, string> = {
  "a.txt": "alpha\n",
  "sub/b.fits": "b".repeat(5000),
  "sub/deeper/c.json": '{"c": 3}',
  "é ü.txt": "unicode name",
};

describe("skybutler push / pull", function () {
  this.timeout(60_000);
  let work: string;
  let src: string;
  let server: SwiftServer;
  let admin: SwiftAdmin;
  let env: Record<string, string>;
  const containers: string[] = [];

  before(async () => {
    server = await swiftServer();
    admin = new SwiftAdmin(server);
    env = { ST_AUTH: server.authUrl, ST_USER: server.user, ST_KEY: server.key };
  });
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-cli-transfer-"));
    src = join(work, "src");
    for (const [rel, content] of Object.entries(FILES)) {
      await mkdir(join(src, rel, ".."), { recursive: true });
      await writeFile(join(src, rel), content);
    }
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });
  after(async () => {
    for (const c of containers) await admin.removeContainer(c);
  });

  it("pushes a directory to a local storage and pulls it back; --skip-existing skips what is the same", async () => {
    const dest = join(work, "dest");
    const push = await runCli(["push", src, dest, "--jobs", "3"]);
    expect(push.code, push.stderr).to.equal(0);
    expect(push.stdout).to.match(/^pushed 4 files \(.+\) in [\d.]+ s.*; 0 skipped, 0 failed\n$/);
    expect(await tree(dest)).to.deep.equal(FILES);

    await writeFile(join(src, "a.txt"), "alpha, changed\n");
    const again = await runCli(["push", src, dest, "--skip-existing", "--json"]);
    expect(again.code).to.equal(0);
    expect(JSON.parse(again.stdout)).to.include({ transferred: 1, skipped: 3, failed: 0 });
    expect(await readFile(join(dest, "a.txt"), "utf8")).to.equal("alpha, changed\n");

    const back = join(work, "back");
    const pull = await runCli(["pull", dest, back, "--prefix", "sub/", "--quiet"]);
    expect([pull.code, pull.stdout, pull.stderr]).to.deep.equal([0, "", ""]);
    expect(await tree(back)).to.deep.equal({ "sub/b.fits": FILES["sub/b.fits"], "sub/deeper/c.json": FILES["sub/deeper/c.json"] });
  });

  it("push and pull on Swift: objects as swift lists them, MD5 ETags for --skip-existing", async () => {
    const container = uniqueContainer("cli-push");
    containers.push(container);
    const push = await runCli(["push", src, `swift://${container}/up`], { env });
    expect(push.code, push.stderr).to.equal(0);
    expect((await admin.names(container)).sort()).to.deep.equal(Object.keys(FILES).map((k) => `up/${k}`).sort());
    const head = await admin.send("HEAD", `/${container}/up/sub/b.fits`);
    expect(head.headers.etag).to.equal(createHash("md5").update(FILES["sub/b.fits"]!).digest("hex"));
    const skip = await runCli(["push", src, `swift://${container}/up`, "--skip-existing", "--json"], { env });
    expect(JSON.parse(skip.stdout)).to.include({ transferred: 0, skipped: 4 });

    const back = join(work, "back");
    const pull = await runCli(["pull", `swift://${container}`, back, "--substr", ".txt"], { env });
    expect(pull.code, pull.stderr).to.equal(0);
    expect(await tree(back)).to.deep.equal({ "up/a.txt": FILES["a.txt"], "up/é ü.txt": FILES["é ü.txt"] });
    const skipPull = await runCli(["pull", `swift://${container}`, back, "--substr", ".txt", "--skip-existing", "--json"], { env });
    expect(JSON.parse(skipPull.stdout)).to.include({ transferred: 0, skipped: 2, failed: 0 });
  });

  it("pull refuses object names that would leave the target, counts them, and pulls the rest", async () => {
    const container = uniqueContainer("cli-trav");
    const evil = ["trav/../../escape1.txt", "/abs/escape2.txt", "../escape3.txt"];
    await admin.createContainer(container);
    try {
      expect(await rawObjectRequest(server, admin, "PUT", container, "trav/good.txt", "good")).to.equal(201);
      for (const name of evil) expect(await rawObjectRequest(server, admin, "PUT", container, name, "evil"), name).to.equal(201);
      const listed = await runCli(["ls", `swift://${container}`], { env });
      expect(listed.stdout.split("\n").filter(Boolean).sort()).to.deep.equal([...evil, "trav/good.txt"].sort());

      const target = join(work, "deep", "target");
      const pull = await runCli(["pull", `swift://${container}`, target], { env });
      expect(pull.code).to.equal(1);
      const refusals = pull.stderr.split("\n").filter(Boolean);
      expect(refusals).to.have.length(3);
      for (const line of refusals) expect(line).to.match(/^E_INVALID_KEY: /);
      expect(pull.stdout).to.match(/^pulled 1 file .*; 0 skipped, 3 failed\n$/);
      expect(await tree(work)).to.deep.equal({ ...Object.fromEntries(Object.entries(FILES).map(([k, v]) => [`src/${k}`, v])), "deep/target/trav/good.txt": "good" });
    } finally {
      for (const name of [...evil, "trav/good.txt"]) await rawObjectRequest(server, admin, "DELETE", container, name);
      await admin.removeContainer(container);
    }
  });

  it("through a skybutler server with Swift behind it: push, ls --long, pull", async () => {
    const container = uniqueContainer("cli-served");
    containers.push(container);
    await admin.createContainer(container);
    const tokens = tokenFile([[TOKENS.write, "write"]]);
    const serve = await startServe(["--port", "0", "--repo", `s=swift://${container}`, "--token-file", tokens.path, "--quiet"], { env });
    try {
      const uri = `skybutler+http://127.0.0.1:${serve.port}/s`;
      const denied = await runCli(["push", src, uri]);
      expect(denied.code, "no token").to.equal(1);
      expect(denied.stderr).to.match(/^E_AUTH: /m);
      const push = await runCli(["push", src, uri, "--jobs", "2"], { env: { SKYBUTLER_TOKEN: TOKENS.write } });
      expect(push.code, push.stderr).to.equal(0);
      expect((await admin.names(container)).sort()).to.deep.equal(Object.keys(FILES).sort());
      const ls = await runCli(["ls", uri, "sub/", "--long", "--json"], { env: { SKYBUTLER_TOKEN: TOKENS.write } });
      const entries = JSON.parse(ls.stdout) as Array<{ key: string; size: number; etag: string }>;
      expect(entries.map((e) => [e.key, e.size])).to.deep.equal([["sub/b.fits", 5000], ["sub/deeper/c.json", 8]]);
      expect(entries[0]!.etag).to.equal(createHash("md5").update(FILES["sub/b.fits"]!).digest("hex"));
      const back = join(work, "back");
      const pull = await runCli(["pull", uri, back], { env: { SKYBUTLER_TOKEN: TOKENS.write } });
      expect(pull.code, pull.stderr).to.equal(0);
      expect(await tree(back)).to.deep.equal(FILES);
    } finally {
      await serve.stop();
      tokens.remove();
    }
  });

  it("usage errors exit 2, storage errors exit 1, each with one E_CODE line", async () => {
    const usage = await runCli(["push", src]);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.match(/^E_USAGE: /);
    const jobs = await runCli(["pull", src, join(work, "x"), "--jobs", "0"]);
    expect(jobs.code).to.equal(2);
    expect(jobs.stderr).to.match(/^E_USAGE: --jobs/);
    const missing = await runCli(["push", join(work, "nope"), join(work, "d")]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr.trim().split("\n")).to.have.length(1);
    expect(missing.stderr).to.match(/^E_NOT_FOUND: /);
  });
});

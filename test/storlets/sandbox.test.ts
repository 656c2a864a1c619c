/**
 * The sandbox's limits, each tried by a storlet that oversteps it: silence (to the first byte and
 * between outputs), memory, concurrency per storlet, the network, the file system, the
 * environment. Run in whichever isolation this machine allows (`sandboxMode()`); the `permissions`
 * mode is also forced for the file and network checks.
 */
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageError, StorletError } from "../../src/errors.js";
import { sandboxMode } from "../../src/storlets/sandbox.js";
import { bytesInput } from "../../src/storlets/storlet-input.js";
import { StorletRunner } from "../../src/storlets/storlet-runner.js";
import { failure, fixture, runToEnd } from "./storlet-fixtures.js";

const INPUT = (): ReturnType<typeof bytesInput> => bytesInput(Buffer.from("some content"));

describe("storlet sandbox", function () {
  this.timeout(60_000);
  let server: Server;
  let port: number;
  let hits = 0;
  let secretDir: string;
  let secret: string;

  before(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end("reached");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
    secretDir = mkdtempSync(join(tmpdir(), "skybutler-secret-"));
    secret = join(secretDir, "secret.txt");
    writeFileSync(secret, "top secret", { mode: 0o644 });
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(secretDir, { recursive: true, force: true });
  });

  it("uses namespaces on this machine (root with unshare), as the README says", async () => {
    const { mode } = await sandboxMode();
    expect(mode).to.equal("namespaces");
  });

  for (const [file, lang] of [["probe.py", "Python"], ["probe.js", "JavaScript"]] as const) {
    it(`${lang}: no network — a connection to a server on 127.0.0.1 is refused and never arrives`, async () => {
      const before = hits;
      const ran = await runToEnd(await fixture(file, "ProbeStorlet"), [INPUT()], { op: "net", target: `127.0.0.1:${port}` });
      const results = JSON.parse(ran.body.toString()) as Record<string, string>;
      for (const [what, outcome] of Object.entries(results)) expect(outcome, what).to.match(/^refused/);
      expect(hits).to.equal(before);
    });

    it(`${lang}: no file outside its own directory and the runtime; its directory is read-only`, async () => {
      const ran = await runToEnd(await fixture(file, "ProbeStorlet"), [INPUT()], { op: "files", target: [secret, "/etc/passwd", "/root/.bashrc", `${process.cwd()}/package.json`].join(",") });
      const results = JSON.parse(ran.body.toString()) as Record<string, string>;
      expect(Object.keys(results).length).to.be.greaterThan(8);
      for (const [what, outcome] of Object.entries(results)) {
        // listing a directory the sandbox has (its own /etc: the loader's cache) shows none of the host's files
        if (outcome.startsWith("ALLOWED") && what.startsWith("list /etc/")) expect(outcome, what).to.not.match(/passwd|shadow|hosts/);
        else expect(outcome, what).to.match(/^refused/);
      }
    });

    it(`${lang}: an unprivileged user and an empty environment (no credentials of the server)`, async () => {
      process.env.ST_KEY_PROBE = "must-not-leak";
      try {
        const ran = await runToEnd(await fixture(file, "ProbeStorlet"), [INPUT()], { op: "env" });
        const results = JSON.parse(ran.body.toString()) as { env: string[]; uid: number };
        expect(results.uid).to.equal(65534);
        expect(results.env).to.not.include("ST_KEY_PROBE");
        expect(results.env.every((k) => ["PATH", "HOME", "TMPDIR", "LANG", "PWD", "SHLVL", "_", "LC_CTYPE"].includes(k))).to.equal(true, results.env.join(","));
      } finally {
        delete process.env.ST_KEY_PROBE;
      }
    });

    it(`${lang}: a memory limit — allocating past it fails the run`, async () => {
      const runner = new StorletRunner({ limits: { memoryMiB: 128 } });
      const err = await failure(runToEnd(await fixture(file, "ProbeStorlet"), [INPUT()], { op: "memory", mib: "400" }, runner), StorletError);
      expect(err.message).to.match(/ran out of memory \(its limit is 128 MiB\)/);
      const fits = await runToEnd(await fixture(file, "ProbeStorlet"), [INPUT()], { op: "memory", mib: "32" }, runner);
      expect(fits.body.toString()).to.equal("allocated");
    });

    it(`${lang}: at most N runs of one storlet at once; the others wait their turn`, async () => {
      const runner = new StorletRunner({ maxConcurrent: 2 });
      const code = await fixture(file, "ProbeStorlet");
      const runs = await Promise.all(Array.from({ length: 5 }, () => runToEnd(code, [INPUT()], { op: "times", sleep: "0.6" }, runner)));
      const spans = runs.map((r) => JSON.parse(r.body.toString()) as { start: number; end: number });
      for (const span of spans) {
        const overlapping = spans.filter((o) => o.start < span.end - 0.05 && o.end > span.start + 0.05).length;
        expect(overlapping).to.be.at.most(2);
      }
      // and they did overlap two at a time (the limit is not 1)
      expect(spans.some((s) => spans.some((o) => o !== s && o.start < s.end - 0.1 && o.end > s.start + 0.1))).to.equal(true);
    });
  }

  describe("without namespaces (SKYBUTLER_STORLET_SANDBOX=permissions)", () => {
    before(() => (process.env.SKYBUTLER_STORLET_SANDBOX = "permissions"));
    after(() => delete process.env.SKYBUTLER_STORLET_SANDBOX);

    for (const [file, lang] of [["probe.py", "Python"], ["probe.js", "JavaScript"]] as const) {
      it(`${lang}: sockets and files outside its directory are still refused; storlets still run`, async () => {
        expect((await sandboxMode()).mode).to.equal("permissions");
        const before = hits;
        const net = JSON.parse((await runToEnd(await fixture(file, "ProbeStorlet"), [INPUT()], { op: "net", target: `127.0.0.1:${port}` })).body.toString()) as Record<string, string>;
        for (const [what, outcome] of Object.entries(net)) expect(outcome, what).to.match(/^refused/);
        expect(hits).to.equal(before);
        const files = JSON.parse((await runToEnd(await fixture(file, "ProbeStorlet"), [INPUT()], { op: "files", target: [secret, "/etc/passwd"].join(",") })).body.toString()) as Record<string, string>;
        for (const [what, outcome] of Object.entries(files)) expect(outcome, what).to.match(/^refused/);
        const half = await runToEnd(await fixture(file.replace("probe", "half"), "HalfStorlet"), [bytesInput(Buffer.from("abcdefghijklmonp"))]);
        expect(half.body.toString()).to.equal("acegikmn");
      });
    }
  });

  it("too many waiting runs of one storlet are refused (503 on the wire), not queued without end", async () => {
    const runner = new StorletRunner({ maxConcurrent: 1, maxWaiting: 1 });
    const code = await fixture("probe.py", "ProbeStorlet");
    const first = runToEnd(code, [INPUT()], { op: "times", sleep: "1" }, runner);
    const second = runToEnd(code, [INPUT()], { op: "times", sleep: "0.1" }, runner);
    const err = await failure(runToEnd(code, [INPUT()], { op: "times" }, runner), StorageError);
    expect(err.code).to.equal("E_UNAVAILABLE");
    await Promise.all([first, second]);
  });

  it("a storlet silent past the limit before its first byte is stopped (start phase)", async () => {
    const runner = new StorletRunner({ limits: { timeoutMs: 800 } });
    const started = Date.now();
    const err = await failure(runToEnd(await fixture("probe.py", "ProbeStorlet"), [INPUT()], { op: "times", sleep: "30" }, runner), StorletError);
    expect(err.phase).to.equal("start");
    expect(err.message).to.contain("produced no first byte within 0.8 s");
    expect(Date.now() - started).to.be.below(10_000);
  });

  it("a stall between outputs is an error, not a silently short body (upstream's defect)", async () => {
    const runner = new StorletRunner({ limits: { timeoutMs: 800 } });
    for (const [file, cls, op] of [["params.py", "ParamsStorlet", "hold"], ["contract.js", "ContractStorlet", "stall"]] as const) {
      const out = await runner.run({ code: await fixture(file, cls), inputs: [INPUT()], params: { op } });
      const received: Buffer[] = [];
      const err = await failure(
        (async () => {
          for await (const chunk of out.body) received.push(chunk as Buffer);
        })(),
        StorletError,
      );
      expect(err.phase).to.equal("stream");
      expect(err.message).to.contain("produced no output within 0.8 s");
      expect(Buffer.concat(received).toString()).to.equal("started\n");
    }
  });

  it("a reader that is slower than the storlet is not a stall", async () => {
    const runner = new StorletRunner({ limits: { timeoutMs: 500 } });
    const out = await runner.run({ code: await fixture("identity.py", "IdentityStorlet"), inputs: [bytesInput(Buffer.alloc(4 << 20, 1))], params: {} });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const body = Buffer.concat(await out.body.toArray());
    expect(body.length).to.equal(4 << 20);
  });
});

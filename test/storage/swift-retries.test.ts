/**
 * Retries that cannot corrupt data, and timeouts that turn a dead or stalled server into a typed
 * error: SwiftStorage talks to the real test Swift through a fault-injecting proxy
 * (test/support/fault-proxy.ts) that drops connections mid-body, answers 503/429, or stalls.
 * What is stored is always checked on the real server directly, bypassing the proxy.
 */
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { StorageError } from "../../src/errors.js";
import type { RetryOptions, TimeoutOptions } from "../../src/storage/retry-policy.js";
import { SwiftStorage } from "../../src/storage/swift/swift-storage.js";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftServer, type SwiftServer } from "../support/swift-server.js";

const md5 = (b: Buffer): string => createHash("md5").update(b).digest("hex");
const FAST: RetryOptions = { tries: 4, baseDelayMs: 20, maxDelayMs: 100 };

async function failure(p: Promise<unknown>): Promise<StorageError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "expected a failure").to.be.instanceOf(StorageError);
  return err as StorageError;
}

describe("SwiftStorage retries and timeouts (fault proxy in front of the real server)", function () {
  this.timeout(30_000);
  let server: SwiftServer;
  let admin: SwiftAdmin;
  let proxy: FaultProxy;
  let container: string;
  const opened: SwiftStorage[] = [];

  async function open(retry: RetryOptions = FAST, timeouts: TimeoutOptions = {}): Promise<SwiftStorage> {
    const s = await SwiftStorage.open(`swift://${container}`, { authUrl: proxy.authUrl, user: server.user, key: server.key, retry, timeouts });
    opened.push(s);
    return s;
  }
  /** The object as the real server holds it, not through the proxy. */
  async function stored(key: string): Promise<Buffer | undefined> {
    const res = await admin.send("GET", `/${container}/${key}`);
    return res.status === 200 ? res.body : undefined;
  }
  const requests = (method: string, key: string): typeof proxy.seen => proxy.seen.filter((r) => r.method === method && r.path.endsWith(`/${key}`));

  before(async () => {
    server = await swiftServer();
    admin = new SwiftAdmin(server);
    proxy = await startFaultProxy(server.port);
  });
  after(async () => {
    await proxy.close();
  });
  beforeEach(async () => {
    container = uniqueContainer("retries");
    await admin.createContainer(container);
    proxy.reset();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await admin.removeContainer(container);
  });

  it("a download whose body is corrupted on the way is refused (E_CHECKSUM), small or hashed on the worker", async () => {
    const storage = await open({ ...FAST, tries: 1 });
    for (const [key, size] of [["small.bin", 100_000], ["large.bin", 5 * 1024 * 1024 + 3]] as const) {
      const data = randomBytes(size);
      await admin.send("PUT", `/${container}/${key}`, {}, data);
      proxy.inject({ method: "GET", path: new RegExp(`/${key.replace(".", "\\.")}$`) }, { kind: "corrupt-response", atByte: size - 7 });
      const err = await failure(storage.getLocalFile(key));
      expect(err.code, key).to.equal("E_CHECKSUM");
      // unharmed, the same download is accepted and whole
      const local = await storage.getLocalFile(key);
      try {
        expect(md5(await readFile(local.path)), key).to.equal(md5(data));
      } finally {
        await local.release();
      }
    }
  });

  it("a PUT dropped mid-body stores nothing partial; the retry resends the whole body (buffer and spooled stream)", async () => {
    const old = randomBytes(200_000);
    await admin.send("PUT", `/${container}/obj`, {}, old);
    const storage = await open();
    const data = randomBytes(1_500_000);
    proxy.inject({ method: "PUT", path: /\/obj$/ }, { kind: "drop-request", afterBytes: 600_000 });
    await storage.write("obj", data);
    expect(requests("PUT", "obj").map((r) => r.fault ?? "ok")).to.deep.equal(["drop-request", "ok"]);
    expect(md5((await stored("obj"))!)).to.equal(md5(data));

    const streamed = randomBytes(1_200_000);
    proxy.inject({ method: "PUT", path: /\/obj$/ }, { kind: "drop-request", afterBytes: 100_000 }, 2);
    await storage.writeStream("obj", Readable.from([streamed.subarray(0, 700_000), streamed.subarray(700_000)]));
    expect(requests("PUT", "obj")).to.have.length(5);
    expect(md5((await stored("obj"))!)).to.equal(md5(streamed));

    // without retries the upload fails with a typed error, and the old object is intact, not partial
    const once = await open({ tries: 1 });
    proxy.inject({ method: "PUT", path: /\/obj$/ }, { kind: "drop-request", afterBytes: 300_000 });
    const err = await failure(once.write("obj", randomBytes(1_000_000)));
    expect(err.code).to.equal("E_CONNECTION");
    expect(err.message).to.match(/after 1 attempt in/);
    expect(md5((await stored("obj"))!)).to.equal(md5(streamed));
  });

  it("a burst of 503s (with and without Retry-After) is ridden out; reads and writes succeed", async () => {
    const storage = await open({ ...FAST, tries: 5 });
    const data = randomBytes(50_000);
    proxy.inject({ method: "PUT", path: /\/b$/ }, { kind: "status", status: 503 }, 3);
    await storage.write("b", data);
    proxy.inject({ method: "GET", path: /\/b$/ }, { kind: "status", status: 503, headers: { "retry-after": "0" } }, 2);
    proxy.inject({ method: "GET", path: /\/b$/ }, { kind: "status", status: 502 }, 1);
    expect(md5(await storage.read("b"))).to.equal(md5(data));
    expect(requests("PUT", "b").map((r) => r.fault ?? "ok")).to.deep.equal(["status", "status", "status", "ok"]);
    expect(requests("GET", "b")).to.have.length(4);
    expect(md5((await stored("b"))!)).to.equal(md5(data));
  });

  it("429 with Retry-After is honoured: the next attempt waits the time the server asked for", async () => {
    const storage = await open({ ...FAST, baseDelayMs: 1 });
    await storage.write("t", "x");
    proxy.reset();
    proxy.inject({ method: "HEAD", path: /\/t$/ }, { kind: "status", status: 429, headers: { "retry-after": "1" } });
    const started = Date.now();
    expect(await storage.exists("t")).to.equal(true);
    const [first, second] = requests("HEAD", "t");
    expect(second!.at - first!.at).to.be.within(990, 1600);
    expect(Date.now() - started).to.be.below(2000);
  });

  it("gives up after the count or time bound with a typed error naming the attempts, and no secret", async () => {
    const storage = await open({ tries: 3, baseDelayMs: 10 });
    proxy.inject({ method: "GET", path: /\/g$/ }, { kind: "status", status: 503 }, 100);
    const err = await failure(storage.read("g"));
    expect(err.code).to.equal("E_UNAVAILABLE");
    expect(err.message).to.match(/GET \/retries-[^ ]+\/g failed after 3 attempts in [\d.]+ s: HTTP 503/);
    expect(requests("GET", "g")).to.have.length(3);

    // a server that says "come back in an hour" is not waited for beyond the time bound
    const timed = await open({ tries: 50, maxElapsedMs: 400, baseDelayMs: 50 });
    proxy.inject({ method: "HEAD", path: /\/h$/ }, { kind: "status", status: 429, headers: { "retry-after": "3600" } });
    const started = Date.now();
    const slow = await failure(timed.exists("h"));
    expect(Date.now() - started).to.be.below(300);
    expect(slow.message).to.match(/after 1 attempt .*HTTP 429 \(it asked to wait 3600 s\)/);

    // a dead server: connections refused, retried, then E_CONNECTION
    proxy.inject({ method: "DELETE" }, { kind: "reset" }, 100);
    const dead = await failure(storage.delete("g"));
    expect(dead.code).to.equal("E_CONNECTION");
    expect(dead.message).to.match(/DELETE .* failed after 3 attempts/);

    const token = await admin.token();
    for (const e of [err, slow, dead]) {
      const text = `${e.message}\n${e.stack ?? ""}\n${String((e.cause as Error | undefined)?.message)}`;
      expect(text).not.to.include(token);
      expect(text).not.to.include(server.key);
    }
  });

  it("a stalled response times out within the configured bound (headers and body), never hangs", async () => {
    const storage = await open({ tries: 2, baseDelayMs: 10 }, { headersMs: 300, bodyMs: 300 });
    await storage.write("s", randomBytes(300_000));
    // undici's header and body timers tick about twice a second: each attempt ends within timeout + 1 s
    const bound = 2 * (300 + 1000) + 200;
    proxy.inject({ method: "GET", path: /\/s$/ }, { kind: "stall", ms: 10_000 }, 2);
    let started = Date.now();
    const headers = await failure(storage.read("s"));
    expect(headers.code).to.equal("E_TIMEOUT");
    expect(headers.message).to.match(/after 2 attempts/);
    expect(Date.now() - started).to.be.within(550, bound);

    proxy.inject({ method: "GET", path: /\/s$/ }, { kind: "stall", ms: 10_000, afterBytes: 100_000 }, 2);
    started = Date.now();
    const body = await failure(storage.read("s"));
    expect(body.code).to.equal("E_TIMEOUT");
    expect(body.message).to.match(/interrupted after 200000 bytes and 2 attempts/);
    expect(Date.now() - started).to.be.within(550, bound);
  });

  it("a download dropped or stalled mid-body resumes with a Range pinned by If-Match; the local file is byte-exact", async () => {
    const storage = await open(FAST, { bodyMs: 300 });
    const data = randomBytes(2_000_000);
    await storage.write("d.fits", data);
    const etag = md5(data);
    proxy.reset();
    proxy.inject({ method: "GET", path: /\/d\.fits$/ }, { kind: "drop-response", afterBytes: 700_000 });
    const file = await storage.getLocalFile("d.fits");
    try {
      expect(md5(await readFile(file.path))).to.equal(etag);
    } finally {
      await file.release();
    }
    const gets = requests("GET", "d.fits");
    expect(gets).to.have.length(2);
    // it resumes from what it received: up to the 700,000 bytes sent before the drop (a reset
    // connection may discard what was still in flight)
    expect(gets[1]).to.include({ ifMatch: etag });
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(String(gets[1]!.range))?.[1]);
    expect(resumedAt).to.be.within(1, 700_000);

    proxy.inject({ method: "GET", path: /\/d\.fits$/ }, { kind: "stall", ms: 5000, afterBytes: 300_000 });
    const part = await storage.read("d.fits", { offset: 100_000, length: 1_000_000 });
    expect(part.equals(data.subarray(100_000, 1_100_000))).to.equal(true);
    expect(requests("GET", "d.fits").slice(2).map((r) => r.range)).to.deep.equal(["bytes=100000-1099999", "bytes=400000-1099999"]);

    // replaced between the interruption and the resume: never spliced, a typed error instead
    proxy.inject({ method: "GET", path: /\/d\.fits$/ }, { kind: "stall", ms: 1000, afterBytes: 500_000 });
    const stream = await storage.readStream("d.fits");
    await admin.send("PUT", `/${container}/d.fits`, {}, randomBytes(2_000_000));
    const changed = await failure(stream.toArray());
    expect(changed.code).to.equal("E_CHANGED");
  });

  it("a reply lost after the server acted is recognised on retry: ifAbsent PUT and DELETE do not fail on their own effect", async () => {
    const storage = await open();
    proxy.inject({ method: "PUT", path: /\/once$/ }, { kind: "drop-response" });
    await storage.write("once", "mine", { ifAbsent: true });
    expect(requests("PUT", "once").map((r) => r.fault ?? "ok")).to.deep.equal(["drop-response", "ok"]);
    expect(String(await stored("once"))).to.equal("mine");
    // the same situation with someone else's object: still AlreadyExists
    proxy.inject({ method: "PUT", path: /\/once$/ }, { kind: "drop-response" });
    const clash = await failure(storage.write("once", "other", { ifAbsent: true }));
    expect(clash.code).to.equal("E_ALREADY_EXISTS");

    proxy.inject({ method: "DELETE", path: /\/once$/ }, { kind: "drop-response" });
    await storage.delete("once");
    expect(await stored("once")).to.equal(undefined);
  });
});

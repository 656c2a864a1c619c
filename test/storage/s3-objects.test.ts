/**
 * What only S3Storage does, on the test Swift's real S3 API: multipart uploads above the part
 * size, retries and resumed reads through a fault proxy in front of the real server, and errors
 * for missing or refused credentials that never show the secret.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { AuthError, ConfigError } from "../../src/errors.js";
import { S3Storage } from "../../src/storage/s3/s3-storage.js";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy.js";
import { s3Fixture, s3Options, uniqueBucket } from "../support/s3-fixture.js";
import { SwiftAdmin } from "../support/swift-admin.js";
import { swiftServer } from "../support/swift-server.js";

const MiB = 1024 * 1024;

async function drain(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("S3Storage on the Swift s3api", function () {
  this.timeout(60_000);
  let proxy: FaultProxy;
  let bucket: string;
  let admin: SwiftAdmin;

  beforeEach(async () => {
    const server = await swiftServer();
    proxy = await startFaultProxy(server.port);
    admin = new SwiftAdmin(server);
    bucket = uniqueBucket("s3x");
  });
  afterEach(async () => {
    await proxy.close();
    await admin.removeContainer(`${bucket}+segments`).catch(() => undefined);
    await admin.removeContainer(bucket).catch(() => undefined);
  });

  async function open(extra: Record<string, unknown> = {}): Promise<S3Storage> {
    return S3Storage.open(`s3://${bucket}/p`, { ...(await s3Options(true)), endpoint: `http://127.0.0.1:${proxy.port}`, create: true, ...extra });
  }

  it("uploads an object above the part size as a multipart upload, read back whole and across parts", async () => {
    const s = await open({ partSize: 5 * MiB });
    const data = randomBytes(11 * MiB + 123);
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < data.length; i += 700_000) yield data.subarray(i, i + 700_000);
    }
    await s.writeStream("big.bin", source());
    const parts = proxy.seen.filter((r) => r.method === "PUT" && r.path.includes("partNumber="));
    expect(parts.map((r) => /partNumber=(\d+)/.exec(r.path)![1]).sort()).to.deep.equal(["1", "2", "3"]);
    expect(proxy.seen.some((r) => r.method === "POST" && r.path.includes("uploads"))).to.equal(true);
    expect((await s.stat("big.bin")).size).to.equal(data.length);
    expect((await s.read("big.bin")).equals(data)).to.equal(true);
    const across = await s.read("big.bin", { offset: 5 * MiB - 10, length: 20 });
    expect(across.equals(data.subarray(5 * MiB - 10, 5 * MiB + 10))).to.equal(true);
    await s.close();
  });

  it("retries a PUT refused with 503 and a listing cut by a reset, signing each attempt anew", async () => {
    const s = await open({ retry: { baseDelayMs: 10 } });
    proxy.inject({ method: "PUT", path: "/p/k" }, { kind: "status", status: 503 }, 2);
    await s.write("k", "value");
    expect(proxy.seen.filter((r) => r.method === "PUT" && r.path.endsWith("/p/k")).map((r) => r.status)).to.deep.equal([503, 503, 200]);
    proxy.inject({ method: "GET", path: "list-type=2" }, { kind: "reset" }, 1);
    const keys: string[] = [];
    for await (const key of s.list()) keys.push(key);
    expect(keys).to.deep.equal(["k"]);
    await s.close();
  });

  it("resumes a read that broke off, with a Range from where it stopped pinned by If-Match", async () => {
    const s = await open({ retry: { baseDelayMs: 10 } });
    const data = randomBytes(3 * MiB);
    await s.write("r.bin", data);
    proxy.reset();
    proxy.inject({ method: "GET", path: "/p/r.bin" }, { kind: "drop-response", afterBytes: MiB }, 1);
    expect((await drain(await s.readStream("r.bin"))).equals(data)).to.equal(true);
    const gets = proxy.seen.filter((r) => r.method === "GET" && r.path.endsWith("/p/r.bin"));
    expect(gets).to.have.length(2);
    expect(gets[1]!.ifMatch).to.be.a("string");
    const resumedFrom = Number(/bytes=(\d+)-/.exec(gets[1]!.range ?? "")?.[1]);
    expect(resumedFrom).to.be.above(0).and.at.most(MiB);
    await s.close();
  });

  it("without credentials says which variables to set; refused credentials are an AuthError without the secret", async () => {
    let err: unknown;
    await S3Storage.open(`s3://${bucket}`, { env: {} }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.include("AWS_ACCESS_KEY_ID").and.include("AWS_SECRET_ACCESS_KEY");
    const secret = `wrong-${randomBytes(6).toString("hex")}`;
    err = undefined;
    await S3Storage.open(`s3://${bucket}`, { ...(await s3Options(true)), secretAccessKey: secret, create: true }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(AuthError);
    expect((err as Error).message).to.not.include(secret);
  });

  it("counts objects and bytes from the listing; a bucket has no capacity", async () => {
    const fx = await s3Fixture();
    await fx.storage.write("a", Buffer.alloc(10));
    await fx.storage.write("b/c", Buffer.alloc(5));
    expect(await fx.storage.statistics({ count: true })).to.deep.equal({ capacity: null, objects: 2, bytes: 15 });
    await fx.cleanup();
  });
});

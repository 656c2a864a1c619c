/**
 * What is Swift-specific about SwiftStorage's objects, on the real server: listings longer than the
 * server's page limit, the MD5 ETag that makes the server refuse a corrupted upload, Range GETs,
 * shared downloads, and byte-for-byte interoperability with python-swiftclient's `swift` CLI.
 */
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { StorageError } from "../../src/errors.js";
import { SwiftStorage } from "../../src/storage/swift/swift-storage.js";
import { countingAgent, type CountingAgent } from "../support/counting-agent.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { LISTING_LIMIT, proxyLog, swiftCli, swiftServer, type SwiftServer } from "../support/swift-server.js";

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const md5 = (b: Buffer): string => createHash("md5").update(b).digest("hex");

describe("SwiftStorage objects on the real server", function () {
  this.timeout(30_000);
  let server: SwiftServer;
  let admin: SwiftAdmin;
  let agent: CountingAgent;
  let container: string;
  let storage: SwiftStorage;
  let scratch: string;

  beforeEach(async () => {
    server = await swiftServer();
    admin = new SwiftAdmin(server);
    agent = countingAgent();
    container = uniqueContainer("objects");
    storage = await SwiftStorage.open(`swift://${container}`, {
      create: true,
      authUrl: server.authUrl,
      user: server.user,
      key: server.key,
      dispatcher: agent.dispatcher,
    });
    scratch = await mkdtemp(join(tmpdir(), "skybutler-swift-objects-"));
  });
  afterEach(async () => {
    await storage.close();
    await agent.close();
    await admin.removeContainer(container);
    await rm(scratch, { recursive: true, force: true });
  });

  it(`lists 250 objects, more than the server's page limit of ${LISTING_LIMIT}, flat and shallow`, async () => {
    const keys = [
      ...Array.from({ length: 120 }, (_, i) => `k${String(i).padStart(3, "0")}`),
      ...Array.from({ length: 65 }, (_, i) => [`d${String(i).padStart(3, "0")}/a`, `d${String(i).padStart(3, "0")}/b`]).flat(),
    ];
    expect(keys).to.have.length(250);
    for (let i = 0; i < keys.length; i += 25) await Promise.all(keys.slice(i, i + 25).map((k) => storage.write(k, k)));
    // the server really pages: one unbounded request gets only LISTING_LIMIT names
    const page = JSON.parse((await admin.send("GET", `/${container}?format=json`)).body.toString()) as unknown[];
    expect(page).to.have.length(LISTING_LIMIT);

    const before = agent.count(`/${container}?`, "GET");
    expect(await collect(storage.list())).to.deep.equal([...keys].sort());
    expect(agent.count(`/${container}?`, "GET") - before).to.equal(4); // 100 + 100 + 50 + an empty page

    const shallow = [...keys.filter((k) => k.startsWith("k")), ...Array.from({ length: 65 }, (_, i) => `d${String(i).padStart(3, "0")}/`)].sort();
    expect(shallow.length).to.be.above(LISTING_LIMIT);
    expect(await collect(storage.list({ shallow: true }))).to.deep.equal(shallow);
    expect(await collect(storage.list({ prefix: "d06", shallow: true }))).to.deep.equal(["d060/", "d061/", "d062/", "d063/", "d064/"]);
  });

  it("every PUT carries the body's MD5; a corrupted upload is refused (422) as StorageError E_CHECKSUM and stores nothing", async () => {
    const data = randomBytes(100_000);
    await storage.write("good", data);
    const put = agent.seen.find((r) => r.method === "PUT" && r.path.endsWith("/good"))!;
    expect(put.headers.etag).to.equal(md5(data));

    // the same request with a wrong ETag, as if bytes changed on the way
    const corrupting = countingAgent((req) => (req.method === "PUT" && req.headers.etag ? { ...req.headers, etag: md5(Buffer.from("other")) } : undefined));
    const victim = await SwiftStorage.open(`swift://${container}`, { authUrl: server.authUrl, user: server.user, key: server.key, dispatcher: corrupting.dispatcher });
    try {
      const local = join(scratch, "f.bin");
      await writeFile(local, data);
      const attempts: Array<() => Promise<unknown>> = [
        () => victim.write("bad", data),
        () => victim.writeStream("bad", Readable.from([data])),
        () => victim.putLocalFile(local, "bad"),
        () => victim.write("good", "replacement"),
      ];
      for (const attempt of attempts) {
        let err: unknown;
        await attempt().catch((e: unknown) => (err = e));
        expect(err).to.be.instanceOf(StorageError);
        expect(err).to.have.property("code", "E_CHECKSUM");
        expect((err as Error).message).to.include("422");
      }
      expect(await storage.exists("bad")).to.equal(false);
      expect(md5(await storage.read("good"))).to.equal(md5(data));
    } finally {
      await victim.close();
      await corrupting.close();
    }
  });

  it("ranges are Range GETs answered 206 with only the bytes asked for", async () => {
    const data = randomBytes(4 * 1024 * 1024);
    await storage.write("big.bin", data);
    const before = agent.seen.length;
    const part = await storage.read("big.bin", { offset: 3_000_000, length: 1000 });
    expect(part.equals(data.subarray(3_000_000, 3_001_000))).to.equal(true);
    const tail = await storage.read("big.bin", { offset: data.length - 10 });
    expect(tail.equals(data.subarray(data.length - 10))).to.equal(true);
    const sent = agent.seen.slice(before);
    expect(sent.map((r) => [r.method, r.headers.range])).to.deep.equal([
      ["GET", "bytes=3000000-3000999"],
      ["GET", `bytes=${data.length - 10}-`],
    ]);
    const logged = proxyLog(server).filter((l) => l.includes(`/${container}/big.bin`) && l.includes(" GET "));
    expect(logged.slice(-2).every((l) => / HTTP\/1\.[01] 206 /.test(l))).to.equal(true);
  });

  it("concurrent getLocalFile calls share one download, checked against the ETag", async () => {
    const data = randomBytes(1_000_000);
    await storage.write("raw/v1.fits", data);
    const before = agent.count("/raw/v1.fits", "GET");
    const files = await Promise.all(Array.from({ length: 5 }, () => storage.getLocalFile("raw/v1.fits")));
    expect(new Set(files.map((f) => f.path)).size).to.equal(1);
    expect(files[0]!.path.endsWith(".fits")).to.equal(true);
    expect(agent.count("/raw/v1.fits", "GET") - before).to.equal(1);
    expect(md5(await readFile(files[0]!.path))).to.equal(md5(data));
    for (const f of files) await f.release();
  });

  it("objects SwiftStorage writes are downloaded byte for byte by `swift download`", async () => {
    const a = randomBytes(300_000);
    const b = randomBytes(2_500_000);
    const c = randomBytes(70_000);
    await storage.write("dir/a.bin", a);
    await storage.writeStream("dir/b.bin", Readable.from([b.subarray(0, 1_000_000), b.subarray(1_000_000)]));
    const pending = await storage.createLocalFile("c d/c.fits", { suffix: ".fits" });
    await writeFile(pending.path, c);
    await pending.commit();
    await swiftCli(server, ["download", container, "--output-dir", join(scratch, "out")]);
    expect((await readFile(join(scratch, "out", "dir/a.bin"))).equals(a)).to.equal(true);
    expect((await readFile(join(scratch, "out", "dir/b.bin"))).equals(b)).to.equal(true);
    expect((await readFile(join(scratch, "out", "c d/c.fits"))).equals(c)).to.equal(true);
  });

  it("objects uploaded by `swift upload` are read by SwiftStorage", async () => {
    const data = randomBytes(1_234_567);
    await writeFile(join(scratch, "frame.fits"), data);
    await swiftCli(server, ["upload", container, "--object-name", "raw/frame.fits", "frame.fits"], scratch);
    expect(await collect(storage.list({ prefix: "raw/" }))).to.deep.equal(["raw/frame.fits"]);
    expect((await storage.stat("raw/frame.fits")).etag).to.equal(md5(data));
    expect((await storage.read("raw/frame.fits")).equals(data)).to.equal(true);
    const local = await storage.getLocalFile("raw/frame.fits");
    expect((await readFile(local.path)).equals(data)).to.equal(true);
    await local.release();
  });
  it("keeps X-Object-Meta-* metadata: set by POST, seen by python-swiftclient, carried by COPY", async () => {
    await storage.write("meta/a.fits", "content");
    await storage.setMetadata("meta/a.fits", { dataset: "calexp", "Data-Id": "visit=1", note: "ünïcode" });
    expect(await storage.getMetadata("meta/a.fits")).to.deep.equal({ dataset: "calexp", "data-id": "visit=1", note: "ünïcode" });
    const stat = await swiftCli(server, ["stat", container, "meta/a.fits"]);
    expect(stat).to.match(/Meta Dataset: calexp/);
    expect((await storage.read("meta/a.fits")).toString()).to.equal("content"); // a POST leaves the content alone
    await storage.copy("meta/a.fits", "meta/b.fits");
    expect((await storage.getMetadata("meta/b.fits")).dataset).to.equal("calexp");
    await storage.setMetadata("meta/a.fits", {}); // replaces all of it
    expect(await storage.getMetadata("meta/a.fits")).to.deep.equal({});
    let error: unknown;
    await storage.setMetadata("meta/a.fits", { "bad name": "x" }).catch((e) => (error = e));
    expect(error).to.have.property("code", "E_INVALID_KEY");
    error = undefined;
    await storage.getMetadata("meta/missing").catch((e) => (error = e));
    expect(error).to.have.property("code", "E_NOT_FOUND");
  });
  it("a pending file's observer supplies the upload's MD5, so the file is not read back (and the server checks it)", async () => {
    const pending = await storage.createLocalFile("observed/a.bin");
    expect(pending.observe, "SwiftStorage asks writers for the bytes").to.be.a("function");
    const data = randomBytes(300_000);
    await writeFile(pending.path, data);
    pending.observe!(data);
    await pending.commit();
    expect(md5(await storage.read("observed/a.bin"))).to.equal(md5(data));

    // feed bytes that differ from the file (same length): the ETag sent is the observed one, and
    // the real server refuses the upload — proof that the observation, not a re-read, is used
    const lying = await storage.createLocalFile("observed/b.bin");
    await writeFile(lying.path, data);
    lying.observe!(randomBytes(data.length));
    let error: unknown;
    await lying.commit().catch((e) => (error = e));
    expect(error).to.have.property("code", "E_CHECKSUM");
    expect(await storage.exists("observed/b.bin")).to.equal(false);

    // a writer that shows only part of the file: the observation is ignored and the file is read
    const partial = await storage.createLocalFile("observed/c.bin");
    await writeFile(partial.path, data);
    partial.observe!(data.subarray(0, 1000));
    await partial.commit();
    expect(md5(await storage.read("observed/c.bin"))).to.equal(md5(data));
  });
});

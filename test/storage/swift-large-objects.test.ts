/**
 * Static Large Objects on a real Swift whose max_file_size is 1 MiB (a second server, started
 * only for these tests): with a 256 KiB segment size, larger objects go up as segments plus a
 * manifest, read back byte-exact, replace and delete their segments, leave nothing behind when a
 * segment fails, and interoperate with python-swiftclient's `swift upload --segment-size`.
 */
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { StorageError } from "../../src/errors.js";
import { SwiftStorage } from "../../src/storage/swift/swift-storage.js";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { SLO_MAX_FILE_SIZE, sloSwiftServer, swiftCli, type SwiftServer } from "../support/swift-server.js";

const KiB = 1024;
const SEGMENT = 256 * KiB;
const md5 = (b: Buffer | string): string => createHash("md5").update(b).digest("hex");
const segmentMd5s = (data: Buffer): string[] => Array.from({ length: Math.ceil(data.length / SEGMENT) }, (_, i) => md5(data.subarray(i * SEGMENT, (i + 1) * SEGMENT)));

describe("SwiftStorage Static Large Objects (server max_file_size 1 MiB, segments of 256 KiB)", function () {
  this.timeout(30_000);
  let server: SwiftServer;
  let admin: SwiftAdmin;
  let proxy: FaultProxy;
  let container: string;
  let storage: SwiftStorage;
  let scratch: string;
  const segmentsOf = async (): Promise<string[]> => admin.names(`${container}_segments`);

  before(async () => {
    server = await sloSwiftServer();
    admin = new SwiftAdmin(server);
    proxy = await startFaultProxy(server.port);
  });
  after(async () => {
    await proxy.close();
  });
  beforeEach(async () => {
    container = uniqueContainer("slo");
    storage = await SwiftStorage.open(`swift://${container}`, { create: true, authUrl: server.authUrl, user: server.user, key: server.key, segmentSize: SEGMENT });
    scratch = await mkdtemp(join(tmpdir(), "skybutler-swift-slo-"));
    proxy.reset();
  });
  afterEach(async () => {
    await storage.close();
    await admin.removeContainer(container);
    await admin.removeContainer(`${container}_segments`);
    await rm(scratch, { recursive: true, force: true });
  });

  it("a 3.3 MiB object round-trips byte-exact as segments + manifest; replacing and deleting it removes its segments", async () => {
    const data = randomBytes(Math.round(3.3 * 1024 * KiB));
    expect((await admin.send("PUT", `/${container}/plain-too-big`, {}, data)).status, "the server refuses one object this large").to.equal(413);
    await storage.write("big.bin", data);

    const head = await admin.send("HEAD", `/${container}/big.bin`);
    expect(head.headers["x-static-large-object"]).to.equal("True");
    expect(head.headers.etag).to.equal(`"${md5(segmentMd5s(data).join(""))}"`);
    const segments = await segmentsOf();
    expect(segments).to.have.length(14);
    segments.forEach((name, i) => expect(name).to.match(new RegExp(`^big\\.bin/slo/\\d+\\.\\d{6}/${data.length}/${SEGMENT}/${String(i + 1).padStart(8, "0")}$`)));
    expect(data.length).to.be.above(3 * SLO_MAX_FILE_SIZE);

    expect((await storage.read("big.bin")).equals(data)).to.equal(true);
    expect((await storage.read("big.bin", { offset: SEGMENT - 10, length: 20 })).equals(data.subarray(SEGMENT - 10, SEGMENT + 10))).to.equal(true);
    const file = await storage.getLocalFile("big.bin"); // checked against the SLO ETag segment by segment
    try {
      expect(md5(await readFile(file.path))).to.equal(md5(data));
    } finally {
      await file.release();
    }
    expect((await storage.stat("big.bin")).size).to.equal(data.length);

    // replaced by another large object (streamed): only the new segments remain
    const next = randomBytes(2 * 1024 * KiB + 5);
    await storage.writeStream("big.bin", Readable.from([next.subarray(0, 1_000_000), next.subarray(1_000_000)]));
    expect((await storage.read("big.bin")).equals(next)).to.equal(true);
    const after = await segmentsOf();
    expect(after).to.have.length(9);
    expect(after.filter((n) => segments.includes(n))).to.deep.equal([]);

    // replaced by a small object: no segment left; a large one deleted: its segments go with it
    await storage.write("big.bin", "small now");
    expect(await segmentsOf()).to.deep.equal([]);
    const local = join(scratch, "f.bin");
    await writeFile(local, data);
    await storage.putLocalFile(local, "again.bin");
    expect(await segmentsOf()).to.have.length(14);
    await storage.delete("again.bin");
    expect(await segmentsOf()).to.deep.equal([]);
    expect(await storage.exists("again.bin")).to.equal(false);
    expect(String(await storage.read("big.bin"))).to.equal("small now");
  });

  it("an upload whose 2nd segment fails leaves the old object, no manifest and no orphan segment; a retried segment succeeds", async () => {
    const through = await SwiftStorage.open(`swift://${container}`, {
      authUrl: proxy.authUrl,
      user: server.user,
      key: server.key,
      segmentSize: SEGMENT,
      retry: { tries: 1 },
    });
    try {
      await through.write("obj", "old");
      proxy.inject({ method: "PUT", path: /\/00000002$/ }, { kind: "drop-request", afterBytes: 100 * KiB });
      const err = await through.write("obj", randomBytes(SEGMENT * 5)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(StorageError);
      expect((err as StorageError).code).to.equal("E_CONNECTION");
      expect(proxy.seen.some((r) => r.path.includes("multipart-manifest=put"))).to.equal(false);
      expect(await segmentsOf()).to.deep.equal([]);
      expect(String(await storage.read("obj"))).to.equal("old");

      // the same with a failing manifest (the server refuses it): the segments are removed too
      proxy.inject({ method: "PUT", path: /multipart-manifest=put/ }, { kind: "status", status: 503 });
      await through.write("obj", randomBytes(SEGMENT * 3)).catch(() => undefined);
      expect(await segmentsOf()).to.deep.equal([]);
      expect(String(await storage.read("obj"))).to.equal("old");
    } finally {
      await through.close();
    }
    const retrying = await SwiftStorage.open(`swift://${container}`, { authUrl: proxy.authUrl, user: server.user, key: server.key, segmentSize: SEGMENT, retry: { tries: 3, baseDelayMs: 10 } });
    try {
      const data = randomBytes(SEGMENT * 3 + 7);
      proxy.inject({ method: "PUT", path: /\/00000002$/ }, { kind: "drop-request", afterBytes: 100 * KiB });
      await retrying.write("obj", data);
      expect((await storage.read("obj")).equals(data)).to.equal(true);
      expect(await segmentsOf()).to.have.length(4);

      // a large object's download dropped mid-body resumes, pinned by its quoted ETag, and is checked segment by segment
      proxy.inject({ method: "GET", path: /\/obj$/ }, { kind: "drop-response", afterBytes: SEGMENT + 1000 });
      const file = await retrying.getLocalFile("obj");
      try {
        expect(md5(await readFile(file.path))).to.equal(md5(data));
      } finally {
        await file.release();
      }
      const resumed = proxy.seen.filter((r) => r.method === "GET" && r.range !== undefined).pop();
      expect(resumed).to.include({ range: `bytes=${SEGMENT + 1000}-`, ifMatch: `"${md5(segmentMd5s(data).join(""))}"`, status: 206 });
    } finally {
      await retrying.close();
    }
  });

  it("python-swiftclient reads our large objects byte for byte, and we read (and delete) the ones `swift upload --segment-size` makes", async () => {
    const ours = randomBytes(SEGMENT * 4 + 1234);
    await storage.write("ours.bin", ours);
    await swiftCli(server, ["download", container, "ours.bin", "-o", join(scratch, "ours.bin")]);
    expect(md5(await readFile(join(scratch, "ours.bin")))).to.equal(md5(ours));

    const theirs = randomBytes(Math.round(1.5 * 1024 * KiB));
    await writeFile(join(scratch, "theirs.bin"), theirs);
    await swiftCli(server, ["upload", container, "theirs.bin", "--segment-size", String(SEGMENT), "--use-slo"], scratch);
    expect((await admin.send("HEAD", `/${container}/theirs.bin`)).headers["x-static-large-object"]).to.equal("True");
    expect((await storage.read("theirs.bin")).equals(theirs)).to.equal(true);
    const file = await storage.getLocalFile("theirs.bin");
    try {
      expect(md5(await readFile(file.path))).to.equal(md5(theirs));
    } finally {
      await file.release();
    }
    await storage.delete("theirs.bin");
    expect((await segmentsOf()).filter((n) => n.startsWith("theirs.bin/"))).to.deep.equal([]);
  });
});

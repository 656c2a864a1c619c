/**
 * The Butler end to end on the real Swift server: the sample repository uploaded with
 * python-swiftclient's `swift upload`, then read through SwiftStorage (registry downloaded from
 * Swift), with outputs on Swift and, mixed, on local disk. No temp file may survive `close()`.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Butler, Catalog, Exposure, MaskedImage, type PixelArray } from "../../src/index.js";
import { filesBelow } from "../support/hooks.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftCli, swiftServer, type SwiftServer } from "../support/swift-server.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

function tempFilesLeft(): string[] {
  return filesBelow(process.env.SKYBUTLER_TMPDIR!);
}

function calexpFrom(raw: Exposure<PixelArray>): Exposure<Float32Array> {
  const mi = MaskedImage.create(raw.width, raw.height);
  raw.image.data.forEach((v, i) => (mi.image.data[i] = Number(v) - 1000));
  mi.variance.data.fill(2.5);
  return new Exposure(mi, raw.metadata.clone().set("HISTORY", "calibrated on swift"));
}

describe("Butler on Swift", function () {
  this.timeout(60_000);
  let server: SwiftServer;
  let admin: SwiftAdmin;
  let input: string;
  let credentials: Record<string, string>;
  const made: string[] = [];
  let work: string;

  before(async () => {
    server = await swiftServer();
    admin = new SwiftAdmin(server);
    input = uniqueContainer("testcam");
    made.push(input);
    credentials = { authUrl: server.authUrl, user: server.user, key: server.key };
    // uploaded by python-swiftclient, not by SwiftStorage: the objects must be readable as Swift users make them
    await swiftCli(server, ["upload", input, "repositoryCfg.yaml", "registry.sqlite3", "raw"], INPUT);
  });
  after(async () => {
    for (const c of made) await admin.removeContainer(c);
  });
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-swift-butler-"));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("reads a raw (registry from Swift), puts and gets a calexp and a catalog, answers queryMetadata, all on Swift", async () => {
    const output = uniqueContainer("rerun");
    made.push(output);
    const local = await Butler.create({ inputs: INPUT });
    const butler = await Butler.create({
      inputs: { root: `swift://${input}`, storageOptions: credentials },
      outputs: { root: `swift://${output}/me`, mode: "rw", storageOptions: credentials },
    });
    try {
      // the filter is not in the data id: the registry downloaded from Swift supplies it
      const raw = await butler.get<Exposure<PixelArray>>("raw", { visit: 1, ccd: 0 });
      expect(raw.metadata.get("FILTER")).to.equal("g");
      const localRaw = await local.get<Exposure<PixelArray>>("raw", { visit: 1, ccd: 0 });
      expect([...raw.image.data]).to.deep.equal([...localRaw.image.data]);
      expect(await butler.getUri("raw", { visit: 1, ccd: 0 })).to.equal(`swift://${input}/raw/v1_fg_c00.fits`);

      const calexp = calexpFrom(raw);
      await butler.put(calexp, "calexp", { visit: 1, ccd: 0 });
      expect(await admin.names(output)).to.include("me/calexp/v1_fg_c00.fits");
      const back = await butler.get<Exposure<Float32Array>>("calexp", { visit: 1, ccd: 0 });
      expect(Buffer.from(back.image.data.buffer).equals(Buffer.from(calexp.image.data.buffer))).to.equal(true);
      expect(back.metadata.cards.some((c) => c.keyword === "HISTORY" && c.value === "calibrated on swift")).to.equal(true);

      const cat = new Catalog({ id: BigInt64Array.from([1n, 2n]), flux: Float64Array.from([1.5, -2]) });
      await butler.put(cat, "src", { visit: 1, ccd: 0 });
      const catBack = await butler.get<Catalog>("src", { visit: 1, ccd: 0 });
      expect([...(catBack.column("flux") as Float64Array)]).to.deep.equal([1.5, -2]);

      const query = await butler.queryMetadata("raw", ["visit", "filter"], { ccd: 0 });
      expect(query).to.deep.equal(await local.queryMetadata("raw", ["visit", "filter"], { ccd: 0 }));
      expect(query.length).to.be.above(1);
    } finally {
      await butler.close();
      await local.close();
    }
    expect(tempFilesLeft()).to.deep.equal([]);
  });

  it("mixed: Swift input with credentials from ST_* in the environment, local output", async () => {
    const saved = { ST_AUTH: process.env.ST_AUTH, ST_USER: process.env.ST_USER, ST_KEY: process.env.ST_KEY };
    Object.assign(process.env, { ST_AUTH: server.authUrl, ST_USER: server.user, ST_KEY: server.key });
    let butler: Butler | undefined;
    try {
      butler = await Butler.create({ inputs: `swift://${input}`, outputs: { root: join(work, "rerun"), mode: "rw" } });
      const raw = await butler.get<Exposure<PixelArray>>("raw", { visit: 2, ccd: 1 });
      expect(raw.metadata.get("VISIT")).to.equal(2);
      await butler.put(calexpFrom(raw), "calexp", { visit: 2, ccd: 1 });
      const file = join(work, "rerun", "calexp", `v2_f${String(raw.metadata.get("FILTER"))}_c01.fits`);
      expect(existsSync(file), file).to.equal(true);
      const back = await butler.get<Exposure<Float32Array>>("calexp", { visit: 2, ccd: 1 });
      expect(back.width).to.equal(raw.width);
    } finally {
      await butler?.close();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect(tempFilesLeft()).to.deep.equal([]);
  });
});

/**
 * Issue 15's "silently wrong data": a `calexp_sub` read is many ranged reads (headers, then a few
 * pixels of each row of each HDU), and a writer replacing the dataset in between made one result
 * out of two versions (1,904 of 3,328 reads on local disk, 143 of 192 on Swift). Now every result
 * is exactly one version's pixels — or the get throws E_CHANGED — while another Butler replaces the
 * dataset in a loop. On local disk the open file pins the version, so E_CHANGED never happens there.
 * Bounded: a few seconds per backend.
 */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Butler, ButlerError, Exposure, Header, MaskedImage, makeBox2I, type RepositorySpec } from "../../src/testing/index.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftServer } from "../support/swift-server.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));
const W = 256;
const H = 256;
const ID = { visit: 1, ccd: 0 };
/** Not whole rows: every row of every HDU is a range of its own (48 × 3 ranges). */
const BOX = makeBox2I(16, 40, 64, 48);
const RUN_MS = 2500;

/** Version `seed`: image pixel i = seed·1000 + i mod 1000, variance = seed, header SEED = seed (all exact in float32). */
function version(seed: number): Exposure {
  const mi = MaskedImage.create(W, H);
  mi.image.data.forEach((_, i) => (mi.image.data[i] = seed * 1000 + (i % 1000)));
  mi.variance.data.fill(seed);
  return new Exposure(mi, Header.fromObject({ SEED: seed }));
}

/** The version a sub-image is wholly from, or a description of the mix. */
function versionOf(sub: Exposure): number | string {
  const seed = sub.variance.get(0, 0);
  if (sub.metadata.get("SEED") !== seed) return `header SEED ${String(sub.metadata.get("SEED"))} with variance ${seed}`;
  for (let y = 0; y < BOX.height; y++) {
    for (let x = 0; x < BOX.width; x++) {
      const i = (y + BOX.y0) * W + x + BOX.x0;
      if (sub.variance.get(x, y) !== seed) return `variance ${sub.variance.get(x, y)} at (${x}, ${y}) with ${seed} at (0, 0)`;
      if (sub.image.get(x, y) !== seed * 1000 + (i % 1000)) return `image ${sub.image.get(x, y)} at (${x}, ${y}) in version ${seed}`;
    }
  }
  return seed;
}

/** Reads `calexp_sub` while a second Butler replaces the calexp; every result must be one version. */
async function readWhileReplaced(output: (create: boolean) => RepositorySpec): Promise<{ reads: number; changed: number; writes: number }> {
  const writer = await Butler.create({ inputs: INPUT, outputs: output(true) });
  const reader = await Butler.create({ inputs: INPUT, outputs: output(false) });
  try {
    await writer.put(version(1), "calexp", ID);
    const deadline = Date.now() + RUN_MS;
    let writes = 1;
    const writing = (async () => {
      while (Date.now() < deadline) await writer.put(version(++writes), "calexp", ID);
    })();
    let reads = 0;
    let changed = 0;
    try {
      while (Date.now() < deadline) {
        let sub: Exposure;
        try {
          sub = await reader.get<Exposure>("calexp_sub", { ...ID, bbox: BOX });
        } catch (err) {
          if (!(err instanceof ButlerError) || err.code !== "E_CHANGED") throw err;
          changed++;
          continue;
        }
        const got = versionOf(sub);
        expect(got, `read ${reads}: one version's pixels`).to.be.a("number");
        expect(got as number).to.be.within(1, writes);
        reads++;
      }
    } finally {
      await writing;
    }
    return { reads, changed, writes };
  } finally {
    await reader.close();
    await writer.close();
  }
}

describe("calexp_sub while another writer replaces the calexp: one version or E_CHANGED, never a mix", function () {
  this.timeout(60_000);

  it("on local disk: every read is one version (the open file pins it; no E_CHANGED)", async () => {
    const root = await mkdtemp(join(tmpdir(), "skybutler-sub-versions-"));
    try {
      const { reads, changed, writes } = await readWhileReplaced(() => ({ root, mode: "rw" }));
      expect(writes, "replacements during the reads").to.be.above(10);
      expect(reads, "reads").to.be.above(10);
      expect(changed, "E_CHANGED on local disk").to.equal(0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("on Swift: every read is one version or E_CHANGED (If-Match on every range)", async () => {
    const server = await swiftServer();
    const admin = new SwiftAdmin(server);
    const container = uniqueContainer("subversions");
    try {
      const { reads, changed, writes } = await readWhileReplaced(() => ({
        root: `swift://${container}`,
        mode: "rw",
        storageOptions: { authUrl: server.authUrl, user: server.user, key: server.key },
      }));
      expect(writes, "replacements during the reads").to.be.above(3);
      expect(reads + changed, "reads").to.be.above(3);
    } finally {
      await admin.removeContainer(container);
    }
  });
});

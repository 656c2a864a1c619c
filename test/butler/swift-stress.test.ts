/**
 * Temp files and data under failures on the real Swift: hundreds of Butler gets and puts with a
 * Swift output behind the fault-injecting proxy (connections dropped mid-upload and mid-download,
 * 503s), retries off so every fault surfaces. After every operation no temp file may remain, and
 * what the server holds is always a whole object that some put wrote — never a partial one. Which
 * faults hit which operation is drawn from a seeded generator: a failure names its `FAULT_SEED`.
 */
import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { Butler, ButlerError, Exposure, Header, MaskedImage } from "../../src/testing/index.js";
import { startFaultProxy, type Fault, type FaultProxy } from "../support/fault-proxy.js";
import { filesBelow } from "../support/hooks.js";
import { faultSeed, mulberry32, replayable } from "../support/seeded-random.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftServer, type SwiftServer } from "../support/swift-server.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));
const W = 32;
const H = 24;

/** An exposure whose every pixel tells which put wrote it: pixel i = seed + i. */
function stamped(seed: number): Exposure {
  const mi = MaskedImage.create(W, H);
  mi.image.data.forEach((_, i) => (mi.image.data[i] = seed + i));
  return new Exposure(mi, Header.fromObject({ SEED: seed }));
}

describe("Butler on Swift under injected faults", function () {
  this.timeout(180_000);
  let server: SwiftServer;
  let admin: SwiftAdmin;
  let proxy: FaultProxy;
  let container: string;

  before(async () => {
    server = await swiftServer();
    admin = new SwiftAdmin(server);
    proxy = await startFaultProxy(server.port);
    container = uniqueContainer("stress");
  });
  after(async () => {
    await proxy.close();
    await admin.removeContainer(container);
  });

  it("leaves no temp file after any of 300 operations, and never a partial object", async () => {
    const seed = faultSeed();
    await replayable(seed, async () => {
      const butler = await Butler.create({
        inputs: INPUT,
        outputs: {
          root: `swift://${container}`,
          mode: "rw",
          storageOptions: { authUrl: proxy.authUrl, user: server.user, key: server.key, retry: { tries: 1 } },
        },
      });
      const random = mulberry32(seed);
      const faults: Array<[string, Fault]> = [
        ["PUT", { kind: "drop-request", afterBytes: 4000 }],
        ["PUT", { kind: "status", status: 503 }],
        ["GET", { kind: "drop-response", afterBytes: 3000 }],
        ["GET", { kind: "status", status: 503 }],
        ["HEAD", { kind: "reset" }],
      ];
      let failures = 0;
      let successes = 0;
      try {
        for (let i = 0; i < 300; i++) {
          const id = { visit: 1 + (i % 2), ccd: (i >> 1) % 2 };
          if (random() < 0.3) {
            const [method, fault] = faults[Math.floor(random() * faults.length)]!;
            proxy.inject({ method, path: "/calexp/" }, fault);
          }
          try {
            if (i % 3 === 0) await butler.put(stamped(i * 1000), "calexp", id);
            else {
              const exp = await butler.get<Exposure>("calexp", id);
              const first = exp.image.data[0]!;
              // whole and consistent: every pixel from the same put
              expect(exp.image.data.every((v, j) => v === first + j), `op ${i}`).to.equal(true);
              expect(exp.metadata.get("SEED")).to.equal(first);
            }
            successes++;
          } catch (err) {
            if (!(err instanceof ButlerError)) throw err;
            failures++;
          }
          proxy.reset();
          const left = filesBelow(process.env.SKYBUTLER_TMPDIR!);
          if (left.length > 0) throw new Error(`after op ${i}: temp files left: ${left.join(", ")}`);
        }
        // with the faults gone, every object the server holds must read whole: a failed upload may
        // have left the previous version, never a partial one
        for (const visit of [1, 2]) {
          for (const ccd of [0, 1]) {
            if (!(await butler.datasetExists("calexp", { visit, ccd }))) continue;
            const exp = await butler.get<Exposure>("calexp", { visit, ccd });
            const first = exp.image.data[0]!;
            expect(exp.image.data.every((v, j) => v === first + j), `calexp ${visit}/${ccd}`).to.equal(true);
          }
        }
      } finally {
        await butler.close();
      }
      expect(failures, "faults must surface").to.be.greaterThan(20);
      expect(successes, "most operations succeed").to.be.greaterThan(150);
      expect(filesBelow(process.env.SKYBUTLER_TMPDIR!)).to.deep.equal([]);
    });
  });
});

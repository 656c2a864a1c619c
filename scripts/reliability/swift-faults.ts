/**
 * Swift faults: M datasets put through the fault-injecting proxy in front of the real test Swift
 * and read back through it — 20 % of requests answered 500/503/429 or 401 (an expired token), some
 * response bodies stalled past the storage's body timeout, and the proxy killed and restarted
 * mid-upload — then every acknowledged put verified, directly against Swift, against the SHA-256
 * its record holds and against the bytes that were put.
 */
import { isDeepStrictEqual } from "node:util";
import { Butler, ButlerError } from "../../src/testing/index.js";
import { startFaultProxy, type Fault, type FaultProxy } from "../../test/support/fault-proxy.js";
import { mulberry32 } from "../../test/support/seeded-random.js";
import { SwiftAdmin, uniqueContainer } from "../../test/support/swift-admin.js";
import { swiftServer } from "../../test/support/swift-server.js";
import { openRepository, payload, sha256, type RunContext } from "./context.js";
import type { Figure } from "./figures.js";

const KIB = 64;
const SECTION = "swift faults";

/** Runs the section. */
export async function swiftFaults(ctx: RunContext): Promise<Figure[]> {
  const swift = await swiftServer();
  const admin = new SwiftAdmin(swift);
  const container = uniqueContainer("rel-faults");
  const random = mulberry32(ctx.seed);
  let proxy: FaultProxy = await startFaultProxy(swift.port);
  const port = proxy.port;
  const objects = { path: `/${container}/json/` };
  const arm = (p: FaultProxy) => {
    const statuses: Fault[] = [
      { kind: "status", status: 500 },
      { kind: "status", status: 503 },
      { kind: "status", status: 429, headers: { "retry-after": "0" } },
      { kind: "status", status: 401 }, // what Swift answers a token that expired
    ];
    p.sometimes(objects, statuses, 0.2, random);
    p.sometimes({ ...objects, method: "GET" }, [{ kind: "stall", ms: 2500, afterBytes: 1000 }], 0.05, random);
  };
  arm(proxy);
  const storageOptions = {
    authUrl: `http://127.0.0.1:${port}/auth/v1.0`,
    user: swift.user,
    key: swift.key,
    retry: { tries: 12, baseDelayMs: 30, maxDelayMs: 400, maxElapsedMs: 30_000 },
    timeouts: { headersMs: 4000, bodyMs: 1000, connectMs: 2000 },
  };
  const M = ctx.sizes.swiftDatasets;
  const restartAt = new Set(Array.from({ length: ctx.sizes.proxyRestarts }, (_, r) => Math.floor(((r + 0.5) * M) / ctx.sizes.proxyRestarts)));
  const acked: number[] = [];
  let putsGivenUp = 0;
  let readsGivenUp = 0;
  let readsWrong = 0;
  let restarts = 0;
  let faults = 0;
  let requests = 0;
  const tally = (p: FaultProxy) => {
    faults += p.seen.filter((r) => r.fault !== undefined).length;
    requests += p.seen.length;
  };
  const started = Date.now();
  const butler = await Butler.create({ outputs: { root: `swift://${container}`, mapper: "testcam", mode: "rw", storageOptions } });
  try {
    for (let i = 0; i < M; i++) {
      const visit = i + 1;
      let restart: Promise<void> | undefined;
      if (restartAt.has(i)) {
        // hold the answer to this PUT, then kill the proxy while the upload is in flight
        proxy.inject({ ...objects, method: "PUT" }, { kind: "stall", ms: 5000 });
        restart = (async () => {
          await sleep(150);
          tally(proxy);
          await proxy.close();
          await sleep(300);
          proxy = await startFaultProxy(swift.port, { port });
          arm(proxy);
          restarts++;
        })();
      }
      try {
        await butler.put(payload(0, visit, KIB), "jsonThing", { visit });
        acked.push(visit);
      } catch (err) {
        if (!(err instanceof ButlerError)) throw err;
        ctx.watch.addError(SECTION, err);
        putsGivenUp++;
      }
      await restart;
      try {
        const back = await butler.get("jsonThing", { visit });
        if (!isDeepStrictEqual(back, payload(0, visit, KIB)) && acked.includes(visit)) readsWrong++;
      } catch (err) {
        if (!(err instanceof ButlerError)) throw err;
        ctx.watch.addError(SECTION, err);
        readsGivenUp++;
      }
    }
  } finally {
    await butler.close();
  }
  tally(proxy);
  await proxy.close();

  // every acknowledged put, directly against Swift (no proxy): recorded, whole, the bytes put
  let lost = 0;
  let corrupted = 0;
  const { repo, close } = await openRepository(`swift://${container}`, { authUrl: swift.authUrl, user: swift.user, key: swift.key });
  try {
    for (const visit of acked) {
      const record = await repo.records!.get("jsonThing", { visit });
      let bytes: Buffer;
      try {
        if (record === undefined) throw new Error("no record");
        bytes = await repo.storage.read(record.key);
      } catch {
        lost++;
        continue;
      }
      const whole = sha256(bytes) === record.checksum && isDeepStrictEqual(JSON.parse(bytes.toString("utf8")), payload(0, visit, KIB));
      if (!whole) corrupted++;
    }
  } finally {
    await close();
  }
  await admin.removeContainer(container).catch(() => undefined);
  const how = `${M} datasets of ${KIB} KiB, ${restarts} proxy restarts mid-upload, ${faults} faults in ${requests} requests (20 % 500/503/429/401, 5 % stalled bodies), ${((Date.now() - started) / 1000).toFixed(0)} s`;
  return [
    { section: SECTION, scenario: "acknowledged puts lost", value: lost, promise: "zero", detail: how },
    { section: SECTION, scenario: "acknowledged puts corrupted (SHA-256 vs record and bytes put)", value: corrupted, promise: "zero" },
    { section: SECTION, scenario: "reads through the faults returning other bytes", value: readsWrong, promise: "zero" },
    { section: SECTION, scenario: "puts / reads given up with a typed error (retries exhausted)", value: putsGivenUp + readsGivenUp, promise: "info", detail: `${putsGivenUp} puts, ${readsGivenUp} reads of ${M}` },
  ];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

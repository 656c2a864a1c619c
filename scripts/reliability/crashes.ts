/**
 * Crashes: writer processes killed with SIGKILL at random points during puts to a local and to a
 * Swift output, until N puts were attempted on each; then every object must be whole (no torn
 * object), every acknowledged put readable, and `fsck` — run before and after `--repair` — must
 * find nothing but what killed writers had in flight, and nothing at all after the repair.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Butler, fsck, type FsckReport } from "../../src/testing/index.js";
import { mulberry32 } from "../../test/support/seeded-random.js";
import { SwiftAdmin, uniqueContainer } from "../../test/support/swift-admin.js";
import { swiftServer } from "../../test/support/swift-server.js";
import { isWholePayload, openRepository, type RunContext } from "./context.js";
import type { Figure } from "./figures.js";
import { runWriter } from "./writers.js";

const KIB = 256;
const SECTION = "crashes";

/** Runs the section. */
export async function crashes(ctx: RunContext): Promise<Figure[]> {
  const swift = await swiftServer();
  const container = uniqueContainer("rel-crash");
  const credentials = { authUrl: swift.authUrl, user: swift.user, key: swift.key };
  const figures = [
    ...(await crashOutput(ctx, "local", join(ctx.work, "crash-local"), {}, 1)),
    ...(await crashOutput(ctx, "Swift", `swift://${container}`, credentials, 2)),
  ];
  await new SwiftAdmin(swift).removeContainer(container).catch(() => undefined);
  return figures;
}

async function crashOutput(ctx: RunContext, label: string, root: string, storageOptions: Record<string, unknown>, stream: number): Promise<Figure[]> {
  const random = mulberry32(ctx.seed + stream);
  await (await Butler.create({ outputs: { root, mapper: "testcam", storageOptions } })).close();
  const started = Date.now();
  const acked: number[] = [];
  let attempted = 0;
  let runs = 0;
  let killed = 0;
  while (attempted < ctx.sizes.crashPuts) {
    // killed after 0…15 acknowledged puts, 0…40 ms later: inside a put, between puts, at start-up
    const afterAcks = Math.floor(random() * 16);
    const run = await runWriter(
      { root, storageOptions, w: runs, count: 10_000, kib: KIB, base: runs * 100_000 + 1 },
      ctx.watch,
      { afterAcks, delayMs: Math.floor(random() * 40) },
    );
    runs++;
    if (run.signal === "SIGKILL") killed++;
    acked.push(...run.acks.map(([visit]) => visit));
    attempted += run.acks.length + 1; // the one in flight when the kill came
  }
  const seconds = (Date.now() - started) / 1000;

  let torn = 0;
  let lost = 0;
  let before: FsckReport;
  let after: FsckReport;
  const { repo, close } = await openRepository(root, storageOptions, "rw");
  try {
    const present = new Set<string>();
    for await (const key of repo.storage.list({ prefix: "json/" })) {
      present.add(key);
      try {
        if (!isWholePayload(JSON.parse((await repo.storage.read(key)).toString("utf8")), KIB)) torn++;
      } catch {
        torn++;
      }
    }
    for (const visit of acked) if (!present.has(`json/v${visit}.json`)) lost++;
    before = await fsck(repo, {});
    await fsck(repo, { repair: true });
    after = await fsck(repo, {});
  } finally {
    await close();
  }
  const leftBeside = label === "local" ? tempFilesBelow(join(root, "json")) : 0; // after fsck --repair
  const findings = (r: FsckReport) => r.missing.length + r.orphans.length + r.mismatches.length;
  return [
    { section: SECTION, scenario: `${label}: torn objects`, value: torn, promise: "zero", detail: `${attempted} puts of ${KIB} KiB attempted by ${runs} writers, ${killed} killed by SIGKILL, ${seconds.toFixed(0)} s` },
    { section: SECTION, scenario: `${label}: acknowledged puts missing`, value: lost, promise: "zero", detail: `${acked.length} acknowledged` },
    { section: SECTION, scenario: `${label}: fsck findings before --repair`, value: findings(before), promise: "info", detail: `${before.orphans.length} orphans, ${before.missing.length} missing, ${before.mismatches.length} mismatches in ${before.records} records` },
    { section: SECTION, scenario: `${label}: fsck findings after --repair`, value: findings(after), promise: "zero", detail: `${after.orphans.length} orphans, ${after.missing.length} missing, ${after.mismatches.length} mismatches` },
    ...(label === "local"
      ? [{ section: SECTION, scenario: "local: temp files of killed writers left after fsck --repair", value: leftBeside, promise: "zero" as const, detail: `${before.pendingWrites.files} found before, swept by --repair` }]
      : []),
  ];
}

/** Pending writes' temp files (`.<name>.<16 hex>[.<host>-<pid>].tmp…`) in a directory. */
function tempFilesBelow(dir: string): number {
  try {
    return readdirSync(dir).filter((name) => /^\..*\.[0-9a-f]{16}(?:\.[0-9a-f]{8}-\d+)?\.tmp/s.test(name)).length;
  } catch {
    return 0;
  }
}

/**
 * Many writers on many hosts: 16 writer processes × 200 puts into ONE output whose data is on the
 * real test Swift and whose records are in the test PostgreSQL (registry.pgsql), three writers
 * killed by SIGKILL mid-run. Afterwards every acknowledged put is readable, byte for byte, and
 * recorded exactly once; no object is torn; and `skybutler fsck`, run on one of the hosts, reports
 * no missing object, no mismatch, and as orphans only what killed writers had in flight.
 *
 * Where root and iproute2 allow, each writer is a separate host: a network namespace reaching
 * Swift and PostgreSQL over a veth network (test/support/writer-hosts.ts); otherwise the writers
 * are processes on 127.0.0.1. The test's title says which.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Butler, PgDatabase, PgRecordStore, formatPgConfig, type FsckReport } from "../../src/testing/index.js";
import { SwiftStorage } from "../../src/storage/swift/swift-storage.js";
import { CLI, ensureBuilt } from "../support/cli.js";
import { dropSchema, pgConfig, pgServer, uniqueSchema } from "../support/pg-server.js";
import { payload, visitOf } from "../support/writer-payload.mjs";
import { uniqueContainer } from "../support/swift-admin.js";
import { swiftServer } from "../support/swift-server.js";
import { namespacesAvailable, WriterHosts } from "../support/writer-hosts.js";

const WRITER = fileURLToPath(new URL("../support/pg-writer.mjs", import.meta.url));
const WRITERS = 16;
const PUTS = 200;
const KILLED = [3, 8, 13];
const NAMESPACES = namespacesAvailable();

interface Run {
  acked: number[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

describe("many writers on many hosts: Swift data, PostgreSQL records", function () {
  this.timeout(300_000);
  let dir: string;
  let hosts: WriterHosts | undefined;
  let container: string;
  let schema: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "skybutler-writers-"));
    ensureBuilt();
  });
  after(async () => {
    await hosts?.close();
    // the container's ~3,000 objects go with the test server's directory at the end of the run:
    // deleting them one by one takes the test Swift longer than writing them did
    if (schema !== undefined) await dropSchema(await pgServer(), schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `${WRITERS} writers × ${PUTS} puts, writers ${KILLED.join(", ")} killed by SIGKILL — ` +
      (NAMESPACES ? "each writer a separate host (network namespace over veth)" : "writers as processes on 127.0.0.1 (network namespaces unavailable: not root or no iproute2)"),
    async () => {
      const [swift, pg] = await Promise.all([swiftServer(), pgServer()]);
      hosts = await WriterHosts.create(WRITERS, NAMESPACES, dir, swift, { port: pg.port, socketDir: join(pg.dir, "data") });
      const { swiftAuthUrl, pgHost, pgPort } = hosts.endpoints;
      container = uniqueContainer("writers");
      schema = uniqueSchema("writers");
      const root = `swift://${container}/repo`;
      const credentials = { authUrl: swift.authUrl, user: swift.user, key: swift.key };

      // the output: made once (repositoryCfg.yaml), then pointed at PostgreSQL as the writers' hosts reach it
      await (await Butler.create({ outputs: { root, mapper: "testcam", storageOptions: credentials } })).close();
      const passfile = join(dir, "pgpass");
      writeFileSync(passfile, `*:*:*:${pg.user}:${pg.password}\n`, { mode: 0o600 });
      const storage = await SwiftStorage.open(root, credentials);
      try {
        await storage.write("registry.pgsql", formatPgConfig({ host: pgHost, port: pgPort, database: pg.database, user: pg.user, schema, passfile, maxConnections: 2 }));
      } finally {
        await storage.close();
      }

      // the writers; their temp files in a directory of ours (killed writers leave theirs behind)
      // the hosts reach Swift over the test's private veth network, in plain HTTP: allowed explicitly
      const env = { ...process.env, ST_USER: swift.user, ST_KEY: swift.key, SKYBUTLER_TMPDIR: join(dir, "writer-tmp"), SKYBUTLER_ALLOW_INSECURE_AUTH: "1" };
      mkdirSync(env.SKYBUTLER_TMPDIR, { recursive: true });
      const started = Date.now();
      const runs = await Promise.all(
        Array.from({ length: WRITERS }, (_, w) => {
          const [cmd, args] = hosts!.command(w, process.execPath, [WRITER, root, swiftAuthUrl, String(w), String(PUTS)]);
          return new Promise<Run>((resolve) => {
            const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
            const run: Run = { acked: [], code: null, signal: null, stderr: "" };
            // a killed writer dies after a random number of acknowledged puts
            const killAt = KILLED.includes(w) ? 20 + Math.floor(Math.random() * 120) : Infinity;
            let buffered = "";
            child.stdout!.on("data", (d: Buffer) => {
              buffered += d.toString();
              const lines = buffered.split("\n");
              buffered = lines.pop()!;
              for (const line of lines) if (line.startsWith("ack ")) run.acked.push(Number(line.slice(4)));
              if (run.acked.length >= killAt && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
            });
            child.stderr!.on("data", (d: Buffer) => (run.stderr += d.toString()));
            child.on("close", (code, signal) => resolve({ ...run, code, signal }));
          });
        }),
      );
      const seconds = (Date.now() - started) / 1000;
      for (const [w, run] of runs.entries()) {
        if (KILLED.includes(w)) expect(run.signal, `writer ${w}: ${run.stderr}`).to.equal("SIGKILL");
        else expect([run.code, run.acked.length], `writer ${w}: ${run.stderr}`).to.deep.equal([0, PUTS]);
      }
      const acked = runs.flatMap((r) => r.acked);
      // what a killed writer may have had in flight: the put after its last acknowledgement
      const inFlight = new Set(KILLED.map((w) => `json/v${visitOf(w, runs[w]!.acked.length)}.json`));

      // every acknowledged put: recorded exactly once, its object readable and whole
      const db = PgDatabase.connect(pgConfig(pg, schema));
      const reader = await SwiftStorage.open(root, credentials);
      try {
        const records = await (await PgRecordStore.open(db, schema)).find("jsonThing");
        const byVisit = new Map<number, (typeof records)[number]>();
        for (const record of records) {
          const visit = record.dataId.visit as number;
          expect(byVisit.has(visit), `visit ${visit} recorded twice`).to.equal(false);
          byVisit.set(visit, record);
        }
        expect(records.length).to.be.at.least(acked.length).and.at.most(acked.length + KILLED.length);
        for (const visit of acked) {
          const record = byVisit.get(visit);
          expect(record, `acknowledged visit ${visit} has no record`).not.to.equal(undefined);
          expect(record!.key).to.equal(`json/v${visit}.json`);
        }
        // no torn object: each recorded object parses and is exactly its writer's payload
        await Promise.all(
          Array.from({ length: 32 }, async (_, lane) => {
            for (let n = lane; n < records.length; n += 32) {
              const record = records[n]!;
              const bytes = await reader.read(record.key);
              expect(record.size, record.key).to.equal(bytes.length);
              expect(record.checksum, record.key).to.equal(`sha256:${createHash("sha256").update(bytes).digest("hex")}`);
              const visit = record.dataId.visit as number;
              expect(JSON.parse(bytes.toString("utf8")), record.key).to.deep.equal(payload(Math.floor(visit / 1000), visit % 1000));
            }
          }),
        );
      } finally {
        await reader.close();
        await db.close();
      }

      const verified = (Date.now() - started) / 1000 - seconds;
      // fsck on one of the hosts (sizes: the checksums were compared above): nothing missing or
      // mismatched; orphans only where killed writers were
      const [cmd, args] = hosts.command(0, process.execPath, [CLI, "--json", "fsck", root, "--no-checksums", "--jobs", "32"]);
      const fsck = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(cmd, args, { env: { ...env, ST_AUTH: swiftAuthUrl } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
      expect(fsck.stderr).to.equal("");
      const report = JSON.parse(fsck.stdout) as FsckReport;
      expect(report.missing).to.deep.equal([]);
      expect(report.mismatches).to.deep.equal([]);
      for (const orphan of report.orphans) expect([...inFlight], `orphan ${orphan.key}`).to.include(orphan.key);
      expect(fsck.code).to.equal(report.orphans.length > 0 ? 1 : 0);
      expect(report.records + report.orphans.length).to.equal(report.objects);
      console.log(
        `      ${acked.length} acknowledged puts by ${WRITERS} ${NAMESPACES ? "namespaced hosts" : "processes"} in ${seconds.toFixed(1)} s ` +
          `(${(acked.length / seconds).toFixed(0)}/s); verified in ${verified.toFixed(1)} s; ${report.records} records; ` +
          `orphans of killed writers: ${report.orphans.length}; fsck ${((Date.now() - started) / 1000 - seconds - verified).toFixed(1)} s`,
      );
    },
  );
});

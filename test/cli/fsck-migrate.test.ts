/**
 * `skybutler fsck` and `skybutler registry migrate` (the built binary) on local repositories and
 * the test PostgreSQL: damage found, repaired where it can be, and a registry moved to
 * PostgreSQL with every lookup and record answering as before.
 */
import { expect } from "chai";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Butler, PgRecordStore, PgDatabase, SAMPLE_REPO, type FsckReport } from "../../src/testing/index.js";
import { runCli } from "../support/cli.js";
import { dropSchema, pgConfig, pgServer, psql, uniqueSchema, type PgServer } from "../support/pg-server.js";

describe("skybutler fsck", function () {
  this.timeout(60_000);
  let work: string;
  let out: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), "skybutler-fsck-"));
    out = join(work, "out");
    const butler = await Butler.create({ inputs: SAMPLE_REPO, outputs: out });
    try {
      for (const visit of [1, 2, 3, 4]) await butler.put({ visit, note: "x".repeat(visit * 10) }, "jsonThing", { visit });
      await butler.put({ nSigma: 5 }, "processCcd_config", {});
    } finally {
      await butler.close();
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("says a healthy repository is clean (exit 0)", async () => {
    const result = await runCli(["fsck", out]);
    expect(result.stderr).to.equal("");
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(/^5 record\(s\) in .*datasets\.sqlite3, 5 object\(s\): 0 missing, 0 orphan\(s\), 0 mismatch\(es\) — clean\n$/);
  });

  it("finds missing objects, orphans and size/checksum mismatches (exit 1); --repair fixes what it can and says so", async () => {
    unlinkSync(join(out, "json/v2.json")); // recorded, gone
    writeFileSync(join(out, "json/v7.json"), '{"visit":7}'); // stored by a writer that died before recording
    const v3 = readFileSync(join(out, "json/v3.json"));
    writeFileSync(join(out, "json/v3.json"), Buffer.from(v3.toString().replace("xxx", "yyy"))); // same size, other bytes
    writeFileSync(join(out, "json/v4.json"), Buffer.concat([readFileSync(join(out, "json/v4.json")), Buffer.from(" ")])); // torn
    writeFileSync(join(out, "notes.txt"), "not a dataset"); // no template names it: left alone

    const found = await runCli(["fsck", out]);
    expect(found.code).to.equal(1);
    expect(found.stdout.split("\n").slice(0, 2)).to.deep.equal([
      'missing object: json/v2.json (jsonThing {"visit":2}) is recorded but not stored',
      'orphan: json/v7.json (jsonThing {"visit":7}) is stored but not recorded',
    ]);
    expect(found.stdout).to.match(/mismatch: json\/v3\.json \(jsonThing \{"visit":3\}\): checksum sha256:[0-9a-f]{64} != recorded sha256:[0-9a-f]{64}/);
    expect(found.stdout).to.match(/mismatch: json\/v4\.json \(jsonThing \{"visit":4\}\): size \d+ != recorded \d+/);
    expect(found.stdout).to.match(/5 record\(s\) .* 1 missing, 1 orphan\(s\), 2 mismatch\(es\) — DAMAGED\n$/);
    // sizes only: the same-size change goes unseen
    const sizes = await runCli(["--json", "fsck", out, "--no-checksums"]);
    expect((JSON.parse(sizes.stdout) as FsckReport).mismatches.map((m) => m.key)).to.deep.equal(["json/v4.json"]);

    const repaired = await runCli(["--json", "fsck", out, "--repair"]);
    expect(repaired.code).to.equal(1); // mismatches are never blessed
    const report = JSON.parse(repaired.stdout) as FsckReport;
    expect(report.repaired.registered.map((f) => [f.key, f.datasetType, f.dataId])).to.deep.equal([["json/v7.json", "jsonThing", { visit: 7 }]]);
    expect(report.repaired.dropped.map((f) => f.key)).to.deep.equal(["json/v2.json"]);
    const text = await runCli(["fsck", out, "--repair"]);
    expect(text.stdout).to.match(/not repaired: 2 mismatch\(es\)/);

    const after = JSON.parse((await runCli(["--json", "fsck", out])).stdout) as FsckReport;
    expect([after.missing, after.orphans, after.mismatches.length]).to.deep.equal([[], [], 2]);
    const butler = await Butler.create({ inputs: out });
    try {
      expect([...(await butler.subset("jsonThing"))].map((r) => r.dataId.visit)).to.include(7); // from its record: the registry knows visits 1–4 only
    } finally {
      await butler.close();
    }
  });

  it("refuses a path that holds no repository with one E_CONFIG line", async () => {
    const result = await runCli(["fsck", join(work, "nothing-here")]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^E_CONFIG: /);
  });
});

describe("skybutler registry migrate", function () {
  this.timeout(90_000);
  let server: PgServer;
  let work: string;
  const schemas: string[] = [];
  before(async () => {
    server = await pgServer();
    work = mkdtempSync(join(tmpdir(), "skybutler-migrate-"));
  });
  after(async () => {
    for (const s of schemas) await dropSchema(server, s);
    rmSync(work, { recursive: true, force: true });
  });
  const url = (schema: string) => `postgresql://${server.user}@127.0.0.1:${server.port}/${server.database}?schema=${schema}`;

  /** What a Butler over a repository answers: registry, calibration and record lookups. */
  async function answers(root: string): Promise<unknown> {
    const butler = await Butler.create({ inputs: root });
    try {
      return {
        visits: await butler.queryMetadata("raw", ["visit", "filter"], { ccd: 1 }),
        flat: await butler.getUri("flat", { visit: 3, ccd: 1 }),
        bias: await butler.getUri("bias", { visit: 1, ccd: 0 }),
        raws: (await butler.subset("raw", undefined, { filter: "g" })).length,
        json: [...(await butler.subset("jsonThing"))].map((r) => r.dataId),
      };
    } finally {
      await butler.close();
    }
  }

  it("copies the registries and records into PostgreSQL and switches the repository; every answer stays the same", async () => {
    const repo = join(work, "repo");
    cpSync(SAMPLE_REPO, repo, { recursive: true });
    const butler = await Butler.create({ inputs: [], outputs: { root: repo, mode: "rw" } });
    try {
      for (const visit of [1, 3]) await butler.put({ visit }, "jsonThing", { visit });
    } finally {
      await butler.close();
    }
    const before = await answers(repo);
    const schema = uniqueSchema("migrated");
    schemas.push(schema, `${schema}_calib`);
    const result = await runCli(["registry", "migrate", repo, "--to", url(schema), "--passfile", server.passfile]);
    expect(result.stderr).to.equal("");
    expect(result.code).to.equal(0);
    expect(result.stdout).to.contain(`table ${schema}.raw: 12 row(s)`).and.contain(`table ${schema}_calib.flat:`).and.contain("records: 2 copied");
    const yaml = readFileSync(join(repo, "registry.pgsql"), "utf8");
    expect(yaml).to.contain(`schema: ${schema}`).and.contain(`calibSchema: ${schema}_calib`).and.not.contain(server.password);
    expect(await answers(repo)).to.deep.equal(before);
    // the lookups really go to PostgreSQL: its copy answers, the sqlite file is not read
    await psql(server, `UPDATE "${schema}".raw_visit SET filter = 'z' WHERE visit = 1; UPDATE "${schema}".raw SET filter = 'z' WHERE visit = 1`, server.database);
    const b = await Butler.create({ inputs: repo });
    try {
      expect(await b.queryMetadata("raw", ["filter"], { visit: 1 })).to.deep.equal(["z"]);
    } finally {
      await b.close();
    }
    // new puts record into PostgreSQL (after the file's rename), and fsck checks them there
    const writer = await Butler.create({ inputs: [], outputs: { root: repo, mode: "rw" } });
    try {
      await writer.put({ visit: 4 }, "jsonThing", { visit: 4 });
    } finally {
      await writer.close();
    }
    const db = PgDatabase.connect(pgConfig(server, schema));
    try {
      const store = await PgRecordStore.open(db, schema);
      expect((await store.find("jsonThing")).map((r) => r.key)).to.deep.equal(["json/v1.json", "json/v3.json", "json/v4.json"]);
    } finally {
      await db.close();
    }
    const fsck = await runCli(["fsck", repo]);
    expect(fsck.code).to.equal(0);
    expect(fsck.stdout).to.match(new RegExp(`^3 record\\(s\\) in PostgreSQL ${server.user}@127\\.0\\.0\\.1:${server.port}/${server.database} schema ${schema}, .* 0 orphan\\(s\\), 0 mismatch\\(es\\); \\d+ object\\(s\\) of types never recorded here \\(ingested\\?\\) not checked — clean\n$`));
    // the sample's raw files and calibrations were never put: with --all-types they are orphans
    const all = JSON.parse((await runCli(["--json", "fsck", repo, "--all-types", "--no-checksums"])).stdout) as FsckReport;
    expect(all.orphans.map((o) => o.datasetType)).to.include.members(["raw", "flat", "bias"]);
    // once is enough
    const again = await runCli(["registry", "migrate", repo, "--to", url(uniqueSchema("again"))]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/^E_CONFIG: .*already uses PostgreSQL/);
  });

  it("leaves the repository on its sqlite registry when the copy fails (a schema that is not empty)", async () => {
    const repo = join(work, "repo2");
    cpSync(SAMPLE_REPO, repo, { recursive: true });
    const schema = uniqueSchema("busy");
    schemas.push(schema, `${schema}_calib`);
    await psql(server, `CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".other (x int)`, server.database);
    const before = await answers(repo);
    const result = await runCli(["registry", "migrate", repo, "--to", url(schema), "--passfile", server.passfile]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^E_CONFIG: schema ".*" already holds 1 table/);
    expect(existsSync(join(repo, "registry.pgsql"))).to.equal(false);
    expect(await answers(repo)).to.deep.equal(before);
    // nothing half-made is left behind in the database either
    expect(await psql(server, `SELECT count(*) FROM information_schema.tables WHERE table_schema = '${schema}_calib'`, server.database)).to.equal("0\n");
  });

  it("refuses a URL with a password (it would be recorded) as a usage of the wrong kind", async () => {
    const result = await runCli(["registry", "migrate", join(work, "repo2"), "--to", `postgresql://u:secret-pw@127.0.0.1:${server.port}/x`]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^E_CONFIG: the URL holds a password/).and.not.contain("secret-pw");
  });
});

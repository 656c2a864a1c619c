/**
 * What only the PostgreSQL registry has (the shared behaviour is in test/conformance/registry.test.ts):
 * its configuration, where the password comes from, TLS, the database refusing overlapping
 * calibration validity, and errors that never show the password.
 */
import { expect } from "chai";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConfigError,
  PgDatabase,
  PgRegistry,
  RegistryError,
  insertRows,
  parsePgConfig,
  pgConfigFromUrl,
  resolvePassword,
  writePgTables,
  type PgConfig,
} from "../../src/testing/index.js";
import { rejection, thrown } from "../../src/testing/assertions.js";
import { dropSchema, pgConfig, pgServer, uniqueSchema, type PgServer } from "../support/pg-server.js";

describe("PgRegistry configuration (registry.pgsql)", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "skybutler-pgconf-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads Gen2's keys plus schema, with defaults, and refuses a password, unknown keys and bad values", () => {
    expect(parsePgConfig("host: db\ndatabase: survey\nuser: pipe\n")).to.deep.equal({ host: "db", port: 5432, database: "survey", user: "pipe", schema: "public" });
    const full = parsePgConfig("host: db\nport: 6543\ndatabase: s\nuser: u\nschema: rerun_1\ncalibSchema: calib\nssl: { mode: verify-ca, ca: /etc/ca.pem }\nmaxConnections: 4\n");
    expect(full).to.deep.include({ port: 6543, schema: "rerun_1", calibSchema: "calib", maxConnections: 4, ssl: { mode: "verify-ca", ca: "/etc/ca.pem" } });
    const secret = "hunter2-very-secret";
    const err = thrown(() => parsePgConfig(`host: db\ndatabase: s\nuser: u\npassword: ${secret}\n`));
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.match(/never store/).and.not.contain(secret);
    for (const bad of ["host: db\ndatabase: s\nuser: u\nport: 99999\n", "host: db\ndatabase: s\n", "host: db\ndatabase: s\nuser: u\nschema: 'a; drop'\n", "host: db\ndatabase: s\nuser: u\nfoo: 1\n", "- a list", "host: [", "host: db\ndatabase: s\nuser: u\npassfile: relative/path\n", "host: db\ndatabase: s\nuser: u\nssl: { mode: sometimes }\n"]) {
      expect(thrown(() => parsePgConfig(bad)), bad).to.be.instanceOf(ConfigError);
    }
  });

  it("reads a postgresql:// URL, and refuses one with a password (it would be recorded)", () => {
    expect(pgConfigFromUrl("postgresql://pipe@db.example:6543/survey?schema=rerun&sslmode=verify-full&sslrootcert=/ca.pem")).to.deep.equal({
      host: "db.example",
      port: 6543,
      database: "survey",
      user: "pipe",
      schema: "rerun",
      ssl: { mode: "verify-full", ca: "/ca.pem" },
    });
    const err = thrown(() => pgConfigFromUrl("postgresql://pipe:topsecret@db/survey"));
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).not.to.contain("topsecret");
    expect(thrown(() => pgConfigFromUrl("mysql://u@h/d"))).to.be.instanceOf(ConfigError);
  });

  it("takes the password from PGPASSWORD, then the passfile named in the config, then PGPASSFILE/~/.pgpass — refusing files others can read or that lie in the repository", () => {
    const config: PgConfig = { host: "db", port: 5432, database: "survey", user: "pipe", schema: "s" };
    const passfile = join(dir, "pass");
    writeFileSync(passfile, "# comment\nother:5432:*:pipe:wrong\ndb:5432:survey:pipe:from\\:file\n", { mode: 0o600 });
    const fallback = join(dir, "fallback");
    writeFileSync(fallback, "*:*:*:pipe:from-fallback\n", { mode: 0o600 });
    expect(resolvePassword({ ...config, passfile }, { env: { PGPASSWORD: "from-env", PGPASSFILE: fallback } })).to.equal("from-env");
    expect(resolvePassword({ ...config, passfile }, { env: { PGPASSFILE: fallback } })).to.equal("from:file");
    expect(resolvePassword({ ...config, user: "nobody" }, { env: { PGPASSFILE: fallback } })).to.equal(undefined);
    expect(resolvePassword(config, { env: { PGPASSFILE: fallback } })).to.equal("from-fallback");
    expect(resolvePassword(config, { env: { PGPASSFILE: join(dir, "absent") } })).to.equal(undefined);
    chmodSync(passfile, 0o640);
    expect(thrown(() => resolvePassword({ ...config, passfile }, { env: {} }))).to.be.instanceOf(ConfigError);
    chmodSync(fallback, 0o604);
    expect(thrown(() => resolvePassword(config, { env: { PGPASSFILE: fallback } }))).to.be.instanceOf(ConfigError);
    const repo = join(dir, "repo");
    mkdirSync(repo);
    const inside = join(repo, "pgpass");
    writeFileSync(inside, "*:*:*:*:x\n", { mode: 0o600 });
    const err = thrown(() => resolvePassword({ ...config, passfile: inside }, { env: {}, repositoryDir: repo }));
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.match(/inside the repository/);
  });
});

describe("PgRegistry on a real PostgreSQL", function () {
  this.timeout(60_000);
  let server: PgServer;
  const schemas: string[] = [];
  before(async () => {
    server = await pgServer();
  });
  after(async () => {
    for (const s of schemas) await dropSchema(server, s);
  });

  it("connects with the password from the passfile; without one the server's demand is a ConfigError naming where to put it", async () => {
    const schema = uniqueSchema("pgreg");
    const registry = await PgRegistry.connect(pgConfig(server, schema));
    try {
      expect(registry.tables()).to.deep.equal([]);
    } finally {
      await registry.close();
    }
    const saved = process.env.PGPASSWORD;
    delete process.env.PGPASSWORD;
    try {
      const err = await rejection(PgRegistry.connect({ ...pgConfig(server, schema), passfile: undefined as unknown as string }, { env: { PGPASSFILE: join(tmpdir(), "no-such-pgpass") } }));
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.match(/PGPASSWORD/);
    } finally {
      if (saved !== undefined) process.env.PGPASSWORD = saved;
    }
  });

  it("reports a wrong password or an unreachable server as RegistryError, never showing the password", async () => {
    const wrong = "wrong-password-123";
    const err = await rejection(PgRegistry.connect({ ...pgConfig(server, "public") }, { env: { PGPASSWORD: wrong } }));
    expect(err).to.be.instanceOf(RegistryError);
    expect((err as Error).message).to.match(/authentication failed/).and.not.contain(wrong).and.not.contain(server.password);
    const unreachable = await rejection(PgRegistry.connect({ ...pgConfig(server, "public"), port: 1 }));
    expect(unreachable).to.be.instanceOf(RegistryError);
    expect((unreachable as Error).message).to.match(/cannot reach/).and.not.contain(server.password);
  });

  it("passes TLS options through: verify-full against the server's certificate encrypts the connection; a certificate nobody vouches for is refused", async () => {
    const db = PgDatabase.connect(pgConfig(server, "public", { ssl: { mode: "verify-full", ca: server.caFile } }));
    try {
      const rows = await db.query<{ ssl: boolean }>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
      expect(rows).to.deep.equal([{ ssl: true }]);
    } finally {
      await db.close();
    }
    const plain = PgDatabase.connect(pgConfig(server, "public"));
    try {
      expect(await plain.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).to.deep.equal([{ ssl: false }]);
    } finally {
      await plain.close();
    }
    const refused = PgDatabase.connect(pgConfig(server, "public", { ssl: { mode: "verify-full" } }));
    try {
      expect(await rejection(refused.query("SELECT 1"))).to.be.instanceOf(RegistryError); // self-signed: not trusted by default
    } finally {
      await refused.close();
    }
  });

  it("refuses, in the database, a calibration whose validity overlaps another of the same key (btree_gist exclusion)", async () => {
    const schema = uniqueSchema("pgcalib");
    schemas.push(schema);
    const db = PgDatabase.connect(pgConfig(server, schema));
    try {
      const columns = [
        { name: "calibDate", type: "str" as const },
        { name: "validStart", type: "str" as const },
        { name: "validEnd", type: "str" as const },
        { name: "filter", type: "str" as const },
        { name: "ccd", type: "int" as const },
      ];
      const rows = [
        ["2024-01-01", "2024-01-01T00:00:00", "2024-01-10T00:00:00", "g", 1],
        ["2024-01-01", "2024-01-01T00:00:00", "2024-01-10T00:00:00", "r", 1],
      ];
      await db.transaction((tx) => writePgTables(tx, schema, [{ name: "flat", columns, validity: { start: "validStart", end: "validEnd", keys: ["filter", "ccd"] }, rows }]));
      // another filter or ccd, or an adjacent range, is fine
      await db.transaction((tx) => insertRows(tx, schema, "flat", columns, [["2024-01-10", "2024-01-10T00:00:01", "2024-01-20T00:00:00", "g", 1], ["2024-01-05", "2024-01-05T00:00:00", "2024-01-06T00:00:00", "g", 2]]));
      // overlapping the first g/1 product: refused by the database, nothing inserted
      const err = await rejection(db.transaction((tx) => insertRows(tx, schema, "flat", columns, [["2024-01-05", "2024-01-05T00:00:00", "2024-01-06T00:00:00", "g", 1]])));
      expect(err).to.be.instanceOf(RegistryError);
      expect((err as Error).message).to.match(/overlapping validity/);
      // even written by hand, without skybutler's checks
      const raw = await rejection(db.query(`INSERT INTO "${schema}".flat VALUES ('x', '2024-01-15T00:00:00', '2024-01-16T00:00:00', 'g', 1)`));
      expect((raw as { cause?: { code?: string } }).cause?.code).to.equal("23P01");
      const registry = await PgRegistry.open(db, schema);
      expect(await registry.lookup(["calibDate"], ["flat"], { filter: "g", ccd: 1 }, { range: { value: "2024-01-05T12:00:00", start: "validStart", end: "validEnd" } })).to.deep.equal([{ calibDate: "2024-01-01" }]);
      await registry.close();
    } finally {
      await db.close();
    }
  });
});

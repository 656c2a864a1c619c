/**
 * The Registry conformance suite on every backend, each loaded with the same sample:
 * - sqlite: `buildRegistry` + `buildCalibRegistry` files, opened read-only;
 * - PostgreSQL: the same sqlite files copied into two fresh schemas of the test server
 *   (test/support/pg-server.ts) the way `registry migrate` copies them, opened by PgRegistry;
 * - the scanning registry: one empty file per exposure, named by the sample's template.
 */
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import {
  buildCalibRegistry,
  buildRegistry,
  describeRegistryConformance,
  fillTemplate,
  PgDatabase,
  PgRegistry,
  PosixStorage,
  RefCountedFile,
  ScanRegistry,
  SqliteRegistry,
  sqliteTableSpecs,
  writePgTables,
  type RegistrySample,
} from "../../src/testing/index.js";
import { dropSchema, pgConfig, pgServer, uniqueSchema } from "../support/pg-server.js";

/** Builds the sample's two sqlite files in a directory. */
function buildSqlite(dir: string, sample: Readonly<RegistrySample>): { registry: string; calib: string } {
  const registry = join(dir, "registry.sqlite3");
  const calib = join(dir, "calibRegistry.sqlite3");
  buildRegistry(registry, sample.exposures);
  buildCalibRegistry(calib, sample.calibrations);
  return { registry, calib };
}

const open = (path: string) => SqliteRegistry.open(new RefCountedFile(path, { deleteOnZero: false }).acquire());

describeRegistryConformance({
  name: "SqliteRegistry",
  kind: "table",
  async create(sample) {
    const dir = await mkdtemp(join(tmpdir(), "skybutler-regconf-"));
    const files = buildSqlite(dir, sample);
    const registry = open(files.registry);
    const calibRegistry = open(files.calib);
    return {
      registry,
      calibRegistry,
      async cleanup() {
        await registry.close();
        await calibRegistry.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});

describeRegistryConformance({
  name: "PgRegistry",
  kind: "table",
  async create(sample) {
    const server = await pgServer();
    const dir = await mkdtemp(join(tmpdir(), "skybutler-regconf-"));
    const schemas = [uniqueSchema("regconf"), uniqueSchema("regconf_calib")];
    const db = PgDatabase.connect(pgConfig(server, schemas[0]!));
    try {
      const files = buildSqlite(dir, sample);
      for (const [path, schema, calibration] of [[files.registry, schemas[0]!, false], [files.calib, schemas[1]!, true]] as const) {
        const sqlite = new Database(path, { readonly: true });
        try {
          await db.transaction((tx) => writePgTables(tx, schema, sqliteTableSpecs(sqlite, { calibration })));
        } finally {
          sqlite.close();
        }
      }
      const registry = await PgRegistry.open(db, schemas[0]!);
      const calibRegistry = await PgRegistry.open(db, schemas[1]!);
      return {
        registry,
        calibRegistry,
        async cleanup() {
          await registry.close();
          await calibRegistry.close();
          await db.close();
          for (const schema of schemas) await dropSchema(server, schema);
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      await db.close();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  },
});

describeRegistryConformance({
  name: "ScanRegistry",
  kind: "template",
  async create(sample) {
    const dir = await mkdtemp(join(tmpdir(), "skybutler-regconf-"));
    for (const row of sample.exposures) {
      const file = join(dir, fillTemplate(sample.template, row));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, "");
    }
    const storage = await PosixStorage.open(dir);
    const registry = new ScanRegistry(storage);
    await registry.prepare([sample.template]);
    return {
      registry,
      async cleanup() {
        await registry.close();
        await storage.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});

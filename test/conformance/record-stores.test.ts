/**
 * The RecordStore conformance suite on every store a repository may use: `datasets.sqlite3`,
 * PostgreSQL (the test server), and record objects on local files and on the real test Swift.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeRecordStoreConformance, ObjectRecordStore, PgDatabase, PgRecordStore, PosixStorage, SqliteRecordStore } from "../../src/testing/index.js";
import { SwiftStorage } from "../../src/storage/swift/swift-storage.js";
import { forBackend } from "../support/backends.js";
import { dropSchema, pgConfig, pgServer, uniqueSchema } from "../support/pg-server.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftServer } from "../support/swift-server.js";

describeRecordStoreConformance({
  name: "SqliteRecordStore",
  async create() {
    const dir = await mkdtemp(join(tmpdir(), "skybutler-records-"));
    const store = SqliteRecordStore.open(join(dir, "datasets.sqlite3"));
    return { store, cleanup: async () => (await store.close(), await rm(dir, { recursive: true, force: true })) };
  },
});

describeRecordStoreConformance({
  name: "PgRecordStore",
  async create() {
    const server = await pgServer();
    const schema = uniqueSchema("records");
    const db = PgDatabase.connect(pgConfig(server, schema));
    const store = await PgRecordStore.open(db, schema, { create: true, ownsDatabase: true });
    return { store, cleanup: async () => (await store.close(), await dropSchema(server, schema)) };
  },
});

forBackend("posix", () =>
  describeRecordStoreConformance({
    name: "ObjectRecordStore on PosixStorage",
    async create() {
      const dir = await mkdtemp(join(tmpdir(), "skybutler-records-"));
      const storage = await PosixStorage.open(dir);
      const store = new ObjectRecordStore(storage);
      return { store, cleanup: async () => (await store.close(), await storage.close(), await rm(dir, { recursive: true, force: true })) };
    },
  }),
);

forBackend("swift", () =>
  describeRecordStoreConformance({
    name: "ObjectRecordStore on SwiftStorage",
    async create() {
      const server = await swiftServer();
      const container = uniqueContainer("records");
      const storage = await SwiftStorage.open(`swift://${container}/repo`, { create: true, authUrl: server.authUrl, user: server.user, key: server.key });
      const store = new ObjectRecordStore(storage);
      return { store, cleanup: async () => (await store.close(), await storage.close(), await new SwiftAdmin(server).removeContainer(container)) };
    },
  }),
);

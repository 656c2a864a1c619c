/**
 * SwiftStorage against the Storage conformance suite, on the real Swift server of the test run
 * (test/support/swift-server.ts). Each test gets a fresh container made by the account admin, who
 * grants read and write to `test:tester3` — not an account admin — and the storage runs as that
 * user; `denyWrite` makes the admin withdraw the write grant, so the refusal is a real 403 from
 * the real server's ACL check.
 */
import { SwiftStorage } from "../../src/storage/swift/swift-storage.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftServer } from "../support/swift-server.js";
import { forBackend } from "../support/backends.js";
import { describeStorageConformance, type StorageFixture } from "../../src/testing/index.js";

async function swiftFixture(): Promise<StorageFixture> {
  const server = await swiftServer();
  const admin = new SwiftAdmin(server);
  const container = uniqueContainer("conformance");
  const reader = server.reader.user;
  await admin.createContainer(container, { "x-container-read": reader, "x-container-write": reader });
  const storage = await SwiftStorage.open(`swift://${container}`, {
    authUrl: server.authUrl,
    user: server.reader.user,
    key: server.reader.key,
  });
  return {
    storage,
    async cleanup() {
      await storage.close();
      await admin.removeContainer(container);
    },
    async denyWrite() {
      // container ACLs are per container: every key of this root becomes read-only
      await admin.postContainer(container, { "x-container-write": "" });
    },
  };
}

forBackend("swift", () => describeStorageConformance({ name: "SwiftStorage", create: swiftFixture }));

/**
 * SwiftStorage.statistics on the real Swift: the account's quota (set by the reseller admin, as an
 * operator does for the account-quotas middleware) and bytes used become the capacity. (A user with
 * container grants only, who may not HEAD the account, gets no capacity: the conformance suite
 * runs SwiftStorage as such a user.)
 */
import { expect } from "chai";
import { request } from "undici";
import { SwiftStorage } from "../../src/storage/swift/swift-storage.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftServer, type SwiftServer } from "../support/swift-server.js";

async function setQuota(server: SwiftServer, bytes: number | undefined): Promise<void> {
  const auth = await request(server.authUrl, { headers: { "x-auth-user": "admin:admin", "x-auth-key": "admin" } });
  await auth.body.dump();
  const headers: Record<string, string> = { "x-auth-token": String(auth.headers["x-auth-token"]) };
  if (bytes === undefined) headers["x-remove-account-meta-quota-bytes"] = "x";
  else headers["x-account-meta-quota-bytes"] = String(bytes);
  const res = await request(server.storageUrl, { method: "POST", headers });
  await res.body.dump();
  expect(res.statusCode).to.equal(204);
}

describe("SwiftStorage statistics", function () {
  this.timeout(30_000);
  let server: SwiftServer;
  let container: string;
  beforeEach(async () => {
    server = await swiftServer();
    container = uniqueContainer("stats");
  });
  afterEach(async () => {
    await setQuota(server, undefined);
    await new SwiftAdmin(server).removeContainer(container);
  });

  it("reports the account quota as capacity, with the bytes the account uses", async () => {
    const quota = 2 ** 40;
    await setQuota(server, quota);
    const s = await SwiftStorage.open(`swift://${container}/p`, { create: true, authUrl: server.authUrl, user: server.user, key: server.key });
    await s.write("a", Buffer.alloc(1000));
    const stats = await s.statistics({ count: true });
    expect(stats.capacity!.total).to.equal(quota);
    expect(stats.capacity!.used).to.be.a("number").and.at.least(0);
    expect(stats.capacity!.free).to.equal(quota - stats.capacity!.used);
    expect(stats.account).to.have.keys("objects", "bytes");
    expect([stats.objects, stats.bytes]).to.deep.equal([1, 1000]);
    await s.close();
  });

  it("without a quota there is no capacity, and the account's own counts are still reported", async () => {
    const s = await SwiftStorage.open(`swift://${container}`, { create: true, authUrl: server.authUrl, user: server.user, key: server.key });
    const stats = await s.statistics();
    expect(stats.capacity).to.equal(null);
    expect(stats.account).to.have.keys("objects", "bytes");
    await s.close();
  });
});

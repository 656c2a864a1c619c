/**
 * SwiftStorage's auth lifecycle on the real server: one token per storage, shared and reused; one
 * re-authentication after a 401 (a token revoked in the real Keystone); wrong credentials give an
 * AuthError naming the auth URL and user; and no error message ever contains a secret.
 */
import { expect } from "chai";
import { request } from "undici";
import { AuthError, ConfigError, NotFoundError, PermissionDeniedError } from "../../src/errors.js";
import { authenticateV1 } from "../../src/storage/swift/auth-v1.js";
import { SwiftStorage } from "../../src/storage/swift/swift-storage.js";
import { TokenManager } from "../../src/storage/swift/token-manager.js";
import { countingAgent } from "../support/counting-agent.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { keystoneServer, swiftServer, type KeystoneServer } from "../support/swift-server.js";

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

/** Everything an error shows: message, stack and its causes. */
function everything(err: Error): string {
  let out = "";
  for (let e: unknown = err; e instanceof Error; e = e.cause) out += `${e.message}\n${e.stack ?? ""}\n${JSON.stringify(e)}\n`;
  return out;
}

const SECRET = "n0t-the-Key-7f3a";

describe("Swift auth (tempauth, v1)", () => {
  let admin: SwiftAdmin;
  const made: string[] = [];
  before(async () => {
    admin = new SwiftAdmin(await swiftServer());
  });
  after(async () => {
    for (const c of made) await admin.removeContainer(c);
  });

  it("authenticates once per storage and reuses the token for every request, concurrent or not", async () => {
    const server = await swiftServer();
    const agent = countingAgent();
    const container = uniqueContainer("tokens");
    made.push(container);
    const storage = await SwiftStorage.open(`swift://${container}`, {
      create: true,
      authUrl: server.authUrl,
      user: server.user,
      key: server.key,
      dispatcher: agent.dispatcher,
    });
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => storage.write(`k${i}`, `v${i}`)));
      const values = await Promise.all(Array.from({ length: 20 }, (_, i) => storage.read(`k${i}`)));
      expect(values.map(String)).to.deep.equal(Array.from({ length: 20 }, (_, i) => `v${i}`));
      expect(agent.count("/auth/v1.0")).to.equal(1);
      expect(storage.authentications).to.equal(1);
      const tokens = new Set(agent.seen.filter((r) => r.path.includes("/v1/AUTH_test")).map((r) => r.headers["x-auth-token"]));
      expect(tokens.size).to.equal(1);
      // auth, HEAD + PUT of the container, one HEAD of <container>_segments (no large object can be
      // replaced without it), 20 PUTs, 20 GETs
      expect(agent.seen.length).to.equal(1 + 2 + 1 + 40);
    } finally {
      await storage.close();
      await agent.close();
    }
  });

  it("concurrent callers of a TokenManager share one authentication in flight", async () => {
    const server = await swiftServer();
    const agent = countingAgent();
    try {
      const tokens = new TokenManager(() => authenticateV1({ version: 1, authUrl: server.authUrl, user: server.user, key: server.key }, agent.dispatcher));
      const sessions = await Promise.all(Array.from({ length: 10 }, () => tokens.session()));
      expect(new Set(sessions).size).to.equal(1);
      expect(agent.count("/auth/v1.0")).to.equal(1);
      // a renewal for a session already replaced does not authenticate again
      const fresh = await Promise.all([tokens.renew(sessions[0]!), tokens.renew(sessions[0]!)]);
      expect(fresh[0]).to.equal(fresh[1]);
      expect(agent.count("/auth/v1.0")).to.equal(2);
      expect(await tokens.renew(sessions[0]!)).to.equal(fresh[0]);
      expect(agent.count("/auth/v1.0")).to.equal(2);
    } finally {
      await agent.close();
    }
  });

  it("a wrong key is an AuthError naming the auth URL and user, never the key", async () => {
    const server = await swiftServer();
    const err = await rejection(SwiftStorage.open("swift://any", { authUrl: server.authUrl, user: server.user, key: SECRET }));
    expect(err).to.be.instanceOf(AuthError);
    expect(err).to.have.property("code", "E_AUTH");
    expect(err.message).to.include(server.authUrl).and.include(server.user).and.include("401");
    expect(everything(err)).to.not.include(SECRET);
  });

  it("an unreachable auth URL is an AuthError, not a hang", async () => {
    const err = await rejection(SwiftStorage.open("swift://any", { authUrl: "http://127.0.0.1:9/auth/v1.0", user: "a:b", key: SECRET }));
    expect(err).to.be.instanceOf(AuthError);
    expect(err.message).to.include("http://127.0.0.1:9/auth/v1.0");
    expect(everything(err)).to.not.include(SECRET);
  });

  it("missing credentials are a ConfigError naming the variables to set", async () => {
    const err = await rejection(SwiftStorage.open("swift://any", { env: {} }));
    expect(err).to.be.instanceOf(ConfigError);
    expect(err.message).to.include("ST_AUTH").and.include("OS_AUTH_URL");
  });

  it("no error of a working storage contains its key or token", async () => {
    const server = await swiftServer();
    const agent = countingAgent();
    const container = uniqueContainer("secrets");
    made.push(container);
    await admin.createContainer(container, { "x-container-read": server.reader.user });
    const storage = await SwiftStorage.open(`swift://${container}`, { authUrl: server.authUrl, ...server.reader, dispatcher: agent.dispatcher });
    try {
      const errors = [
        await rejection(storage.read("missing")),
        await rejection(storage.write("denied", "x")),
        await rejection(storage.delete("denied")),
        await rejection(SwiftStorage.open(`swift://${uniqueContainer("nope")}`, { authUrl: server.authUrl, ...server.reader })),
      ];
      expect(errors[0]).to.be.instanceOf(NotFoundError);
      expect(errors[1]).to.be.instanceOf(PermissionDeniedError);
      expect(errors[3]).to.be.instanceOf(PermissionDeniedError);
      const token = agent.seen.find((r) => r.headers["x-auth-token"])!.headers["x-auth-token"]!;
      expect(token).to.match(/^AUTH_tk/);
      for (const err of errors) {
        expect(everything(err)).to.not.include(token).and.not.include(server.reader.key);
      }
    } finally {
      await storage.close();
      await agent.close();
    }
  });
});

describe("Swift auth (Keystone v3)", function () {
  this.timeout(60_000);
  let ks: KeystoneServer;
  let admin: SwiftAdmin;
  before(async () => {
    ks = await keystoneServer();
    admin = new SwiftAdmin(await swiftServer());
  });

  function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      OS_AUTH_URL: ks.authUrl,
      OS_USERNAME: ks.user,
      OS_PASSWORD: ks.password,
      OS_PROJECT_NAME: ks.project,
      OS_USER_DOMAIN_NAME: "Default",
      OS_PROJECT_DOMAIN_NAME: "Default",
      OS_IDENTITY_API_VERSION: "3",
      ...extra,
    };
  }

  it("works with OS_* credentials: the object-store endpoint comes from the catalog", async () => {
    const container = uniqueContainer("keystone");
    const agent = countingAgent();
    const storage = await SwiftStorage.open(`swift://${container}/p`, { create: true, env: env({ OS_INTERFACE: "internal", OS_REGION_NAME: "RegionOne" }), dispatcher: agent.dispatcher });
    try {
      await storage.write("a.txt", "keystone");
      expect((await storage.read("a.txt")).toString()).to.equal("keystone");
      const keys: string[] = [];
      for await (const k of storage.list()) keys.push(k);
      expect(keys).to.deep.equal(["a.txt"]);
      expect(agent.count("/v3/auth/tokens", "POST")).to.equal(1);
      // the requests went to the keystone-validating proxy, into the demo project's account
      expect(agent.seen.some((r) => r.path.startsWith(`/v1/AUTH_`) && r.path.includes(container))).to.equal(true);
      // the tempauth account does not have it: a different account
      expect((await admin.send("HEAD", `/${container}`)).status).to.equal(404);
    } finally {
      // the container stays: every Keystone request costs a validation, and the server is thrown away
      await storage.close();
      await agent.close();
    }
  });

  it("a token revoked in Keystone gives one 401, one re-authentication and one retry", async () => {
    const container = uniqueContainer("revoked");
    const agent = countingAgent();
    const storage = await SwiftStorage.open(`swift://${container}`, { create: true, env: env(), dispatcher: agent.dispatcher });
    try {
      await storage.write("obj", "before");
      const token = agent.seen.find((r) => r.headers["x-auth-token"])!.headers["x-auth-token"]!;
      const revoke = await request(`${ks.authUrl}/auth/tokens`, { method: "DELETE", headers: { "x-auth-token": token, "x-subject-token": token } });
      await revoke.body.dump();
      expect(revoke.statusCode).to.equal(204);
      const before = agent.seen.length;
      const values = await Promise.all(Array.from({ length: 3 }, () => storage.read("obj")));
      expect(values.map(String)).to.deep.equal(Array(3).fill("before"));
      expect(agent.count("/v3/auth/tokens", "POST")).to.equal(2);
      expect(storage.authentications).to.equal(2);
      const gets = agent.seen.slice(before).filter((r) => r.method === "GET");
      const withOld = gets.filter((r) => r.headers["x-auth-token"] === token).length;
      // every read refused with the old token was sent exactly once more, with the new one
      expect(withOld).to.be.within(1, 3);
      expect(gets.length).to.equal(3 + withOld);
    } finally {
      await storage.close();
      await agent.close();
    }
  });

  it("a wrong password is an AuthError naming Keystone's URL, the user and project, never the password", async () => {
    const err = await rejection(SwiftStorage.open("swift://any", { env: env({ OS_PASSWORD: SECRET }) }));
    expect(err).to.be.instanceOf(AuthError);
    expect(err.message).to.include(ks.authUrl).and.include(`"${ks.user}"`).and.include(`"${ks.project}"`);
    expect(everything(err)).to.not.include(SECRET);
  });

  it("an unknown region is a ConfigError listing what the catalog offers", async () => {
    const err = await rejection(SwiftStorage.open("swift://any", { env: env({ OS_REGION_NAME: "Atlantis" }) }));
    expect(err).to.be.instanceOf(ConfigError);
    expect(err.message).to.include("Atlantis").and.include("public@RegionOne").and.not.include(ks.password);
  });

  it("opens Gen2's swift://host:port/v3/<tenant>/<container> with OS_USERNAME/OS_PASSWORD", async () => {
    const port = new URL(ks.authUrl).port;
    const container = uniqueContainer("gen2ks");
    const storage = await SwiftStorage.open(`swift://127.0.0.1:${port}/v3/${ks.project}/${container}`, {
      create: true,
      env: { OS_AUTH_URL: ks.authUrl, OS_USERNAME: ks.user, OS_PASSWORD: ks.password },
    });
    try {
      await storage.write("x", "gen2 keystone");
      expect((await storage.read("x")).toString()).to.equal("gen2 keystone");
    } finally {
      await storage.close();
    }
  });
});

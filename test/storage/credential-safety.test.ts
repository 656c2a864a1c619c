/**
 * Where credentials may go (Swift passwords and keys, a skybutler server's token): the environment's secrets only to the auth endpoint they were
 * configured for, never over plain HTTP off this machine unless allowed, and never shown when a
 * URL carries them. Pure resolution first (no network), then a real open of a Gen2 URI whose
 * endpoint is a listener on loopback that counts the connections it gets.
 */
import { expect } from "chai";
import { createServer, type Server } from "node:net";
import { ConfigError } from "../../src/errors.js";
import { describeCredentials, resolveCredentials } from "../../src/storage/swift/credentials.js";
import { parseSwiftUri } from "../../src/storage/swift/swift-uri.js";
import { SwiftStorage } from "../../src/storage/swift/swift-storage.js";
import { HttpStorage } from "../../src/storage/http/http-storage.js";
import { rejection, thrown } from "../../src/testing/assertions.js";

const SECRET = "s3cr3t-do-not-leak";

describe("Swift credentials: where secrets may go", () => {
  it("a Gen2 URI gets the environment's secrets only when its auth endpoint is the configured one", () => {
    const env = { ST_AUTH: "https://swift.example.org/auth/v1.0", ST_USER: "lsst:me", ST_KEY: SECRET };
    const elsewhere = parseSwiftUri("swift://attacker.example.net:8080/v1.0/lsst/data").endpoint!;
    const err = thrown(() => resolveCredentials({}, env, elsewhere));
    expect(err).to.be.instanceOf(ConfigError);
    expect(err.message).to.include("attacker.example.net:8080").and.include("SWIFT_AUTH_URL").and.not.include(SECRET);
    // the same endpoint the user configured (scheme, host and port), written the Gen2 way
    const configured = { SWIFT_AUTH_URL: "http://127.0.0.1:8080/auth/v1.0", SWIFT_USERNAME: "me", SWIFT_PASSWORD: SECRET };
    const mine = parseSwiftUri("swift://127.0.0.1:8080/v1.0/lsst/data").endpoint!;
    expect(resolveCredentials({}, configured, mine)).to.deep.include({ version: 1, user: "lsst:me", key: SECRET });
    // explicit storage options are the caller's own choice
    expect(resolveCredentials({ user: "me", key: "k" }, {}, parseSwiftUri("swift://127.0.0.2:9/v1.0/t/c").endpoint)).to.include({ key: "k" });
  });

  it("plain HTTP to a host other than loopback is refused unless allowed; https and loopback are fine", () => {
    const plain = { ST_AUTH: "http://swift.example.org:8080/auth/v1.0", ST_USER: "a:b", ST_KEY: SECRET };
    const err = thrown(() => resolveCredentials({}, plain));
    expect(err).to.be.instanceOf(ConfigError);
    expect(err.message).to.include("plain HTTP").and.include("SKYBUTLER_ALLOW_INSECURE_AUTH").and.not.include(SECRET);
    expect(resolveCredentials({ allowInsecureAuth: true }, plain).authUrl).to.equal(plain.ST_AUTH);
    expect(resolveCredentials({}, { ...plain, SKYBUTLER_ALLOW_INSECURE_AUTH: "1" }).authUrl).to.equal(plain.ST_AUTH);
    for (const url of ["https://swift.example.org/auth/v1.0", "http://127.0.0.1:8080/auth/v1.0", "http://localhost:8080/auth/v1.0", "http://[::1]:8080/auth/v1.0"]) {
      expect(resolveCredentials({}, { ST_AUTH: url, ST_USER: "a:b", ST_KEY: "k" }).authUrl, url).to.equal(url);
    }
    const keystone = { OS_AUTH_URL: "http://keystone.example.org:5000/v3", OS_USERNAME: "u", OS_PASSWORD: SECRET, OS_PROJECT_NAME: "p" };
    expect(thrown(() => resolveCredentials({}, keystone))).to.be.instanceOf(ConfigError);
  });

  it("a password inside a URL is never used and never shown", () => {
    const err = thrown(() => parseSwiftUri(`swift://me:${SECRET}@swift.example.org:8080/v1.0/lsst/c`));
    expect(err).to.be.instanceOf(ConfigError);
    expect(err.message).to.include("swift://swift.example.org:8080/v1.0/lsst/c").and.not.include(SECRET);
    const c = resolveCredentials({}, { ST_AUTH: `https://me:${SECRET}@swift.example.org/auth/v1.0`, ST_USER: "a:b", ST_KEY: "k" });
    expect(c.authUrl).to.equal("https://swift.example.org/auth/v1.0");
    expect(describeCredentials(c)).to.not.include(SECRET);
  });

  it("a skybutler server's token goes over plain HTTP only to this machine unless allowed", async () => {
    const err = await rejection(HttpStorage.open("skybutler+http://skybutler.example.org:4055/repo", { env: { SKYBUTLER_TOKEN: SECRET } }));
    expect(err).to.be.instanceOf(ConfigError);
    expect(err.message).to.include("plain HTTP").and.not.include(SECRET);
    // without a token nothing secret is sent, so the storage goes on (and fails to connect: a typed error, not this one)
    const unreachable = await rejection(HttpStorage.open("skybutler+http://127.0.0.1:1/repo", { env: { SKYBUTLER_TOKEN: SECRET }, retry: { tries: 1 } }));
    expect(unreachable).to.not.be.instanceOf(ConfigError);
  });

  describe("opening a Gen2 URI found in someone else's repository", () => {
    let listener: Server;
    let connections = 0;
    let port = 0;
    before(async () => {
      listener = createServer((socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => listener.listen(0, "127.0.0.2", resolve));
      port = (listener.address() as { port: number }).port;
    });
    after(() => new Promise<void>((resolve) => listener.close(() => resolve())));

    it("makes no connection to an endpoint the credentials were not configured for", async () => {
      const env = { ST_AUTH: "http://127.0.0.1:1/auth/v1.0", ST_USER: "test:tester", ST_KEY: SECRET };
      const err = await rejection(SwiftStorage.open(`swift://127.0.0.2:${port}/v1.0/test/c`, { env }));
      expect(err).to.be.instanceOf(ConfigError);
      expect(err.message).to.not.include(SECRET);
      expect(connections, "connections to the unconfigured endpoint").to.equal(0);
      // configured for it: the storage does try to authenticate there (and fails on the dropped connection)
      await rejection(SwiftStorage.open(`swift://127.0.0.2:${port}/v1.0/test/c`, { env: { ...env, SWIFT_AUTH_URL: `http://127.0.0.2:${port}/auth/v1.0` }, retry: { tries: 1 } }));
      expect(connections).to.be.greaterThan(0);
    });
  });
});

/**
 * SwiftStorage's URI forms and where its credentials come from: parsing and resolution rules, then
 * each form opened against the real test server.
 */
import { expect } from "chai";
import { ConfigError, NotFoundError } from "../../src/errors.js";
import { storageFromUri } from "../../src/storage/index.js";
import { resolveCredentials } from "../../src/storage/swift/credentials.js";
import { SwiftStorage } from "../../src/storage/swift/swift-storage.js";
import { parseSwiftUri } from "../../src/storage/swift/swift-uri.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftServer } from "../support/swift-server.js";

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}

describe("Swift URIs", () => {
  it("parses swift://<container>[/<prefix>] and normalises the prefix", () => {
    expect(parseSwiftUri("swift://raw")).to.deep.equal({ container: "raw", prefix: "", uri: "swift://raw" });
    expect(parseSwiftUri("swift://raw/hsc//v1/")).to.deep.equal({ container: "raw", prefix: "hsc/v1", uri: "swift://raw/hsc/v1" });
    expect(parseSwiftUri("swift://my%20data/a%20b").container).to.equal("my data");
    expect(parseSwiftUri("swift://my%20data/a%20b").uri).to.equal("swift://my%20data/a%20b");
  });

  it("parses Gen2's swift://host:port/<version>/<tenant>/<container> into an auth endpoint", () => {
    const v3 = parseSwiftUri("swift://keystone.example.org:5000/v3/lsst/my_container");
    expect(v3.container).to.equal("my_container");
    expect(v3.prefix).to.equal("");
    expect(v3.endpoint).to.deep.equal({ authUrl: "http://keystone.example.org:5000/v3", version: 3, tenant: "lsst" });
    expect(v3.uri).to.equal("swift://keystone.example.org:5000/v3/lsst/my_container");
    const v1 = parseSwiftUri("swift://127.0.0.1:8080/v1.0/test/c/sub");
    expect(v1.endpoint).to.deep.equal({ authUrl: "http://127.0.0.1:8080/auth/v1.0", version: 1, tenant: "test" });
    expect(v1.prefix).to.equal("sub");
  });

  it("rejects what is not a Swift root with ConfigError saying which forms work", () => {
    for (const bad of ["file:///x", "swift://", "swift:///x", "swift://h:5000/v3/t", "swift://c/../x"]) {
      expect(thrown(() => parseSwiftUri(bad)), bad).to.be.instanceOf(ConfigError);
    }
    expect(thrown(() => parseSwiftUri("swift://h:5000/v2.0/t/c")).message).to.match(/v2\.0.*not supported.*v3/);
    expect(thrown(() => parseSwiftUri("ftp://x")).message).to.include("swift://<container>");
  });
});

describe("Swift credentials", () => {
  it("reads ST_AUTH/ST_USER/ST_KEY as v1", () => {
    expect(resolveCredentials({}, { ST_AUTH: "https://a/auth/v1.0", ST_USER: "acc:u", ST_KEY: "k" })).to.deep.equal({
      version: 1,
      authUrl: "https://a/auth/v1.0",
      user: "acc:u",
      key: "k",
    });
  });

  it("reads OS_* as Keystone v3, with domains, region and interface", () => {
    const c = resolveCredentials({}, {
      OS_AUTH_URL: "https://k:5000/v3",
      OS_USERNAME: "demo",
      OS_PASSWORD: "pw",
      OS_PROJECT_NAME: "p",
      OS_USER_DOMAIN_NAME: "Default",
      OS_PROJECT_DOMAIN_NAME: "Default",
      OS_REGION_NAME: "RegionTwo",
      OS_INTERFACE: "internal",
    });
    expect(c).to.deep.equal({
      version: 3,
      authUrl: "https://k:5000/v3",
      username: "demo",
      password: "pw",
      projectName: "p",
      userDomainName: "Default",
      projectDomainName: "Default",
      regionName: "RegionTwo",
      interface: "internal",
    });
    const v1 = resolveCredentials({}, { OS_AUTH_URL: "https://a/auth/v1.0", OS_AUTH_VERSION: "1", OS_USERNAME: "a:b", OS_PASSWORD: "k" });
    expect(v1).to.deep.equal({ version: 1, authUrl: "https://a/auth/v1.0", user: "a:b", key: "k" });
    expect(resolveCredentials({}, { OS_AUTH_URL: "https://k:5000", OS_IDENTITY_API_VERSION: "3", OS_USERNAME: "u", OS_PASSWORD: "p", OS_PROJECT_ID: "x" }).version).to.equal(3);
  });

  it("prefers explicit storage options to the environment", () => {
    const env = { ST_AUTH: "https://env/auth/v1.0", ST_USER: "e:e", ST_KEY: "e" };
    expect(resolveCredentials({ authUrl: "https://opt/auth/v1.0", user: "o:o", key: "o" }, env)).to.include({ authUrl: "https://opt/auth/v1.0", user: "o:o" });
  });

  it("names the variables to set when credentials are missing or incomplete (ConfigError)", () => {
    const none = thrown(() => resolveCredentials({}, {}));
    expect(none).to.be.instanceOf(ConfigError);
    for (const name of ["ST_AUTH", "ST_USER", "ST_KEY", "OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME", "storageOptions"]) {
      expect(none.message).to.include(name);
    }
    const noKey = thrown(() => resolveCredentials({}, { ST_AUTH: "https://a/auth/v1.0", ST_USER: "a:b" }));
    expect(noKey).to.be.instanceOf(ConfigError);
    expect(noKey.message).to.match(/lacks a key.*ST_KEY/);
    const noProject = thrown(() => resolveCredentials({}, { OS_AUTH_URL: "https://k/v3", OS_USERNAME: "u", OS_PASSWORD: "secret-pw" }));
    expect(noProject.message).to.include("a project").and.not.include("secret-pw");
  });

  it("takes Gen2's SWIFT_USERNAME/SWIFT_PASSWORD for a Gen2 URI; v1 prefixes the tenant", () => {
    const endpoint = parseSwiftUri("swift://127.0.0.1:8080/v1.0/test/c").endpoint;
    expect(resolveCredentials({}, { SWIFT_AUTH_URL: "http://127.0.0.1:8080", SWIFT_USERNAME: "tester", SWIFT_PASSWORD: "testing" }, endpoint)).to.deep.equal({
      version: 1,
      authUrl: "http://127.0.0.1:8080/auth/v1.0",
      user: "test:tester",
      key: "testing",
    });
  });
});

describe("Swift roots on the real server", () => {
  let admin: SwiftAdmin;
  const made: string[] = [];
  before(async () => {
    admin = new SwiftAdmin(await swiftServer());
  });
  after(async () => {
    for (const c of made) await admin.removeContainer(c);
  });

  it("storageFromUri loads SwiftStorage lazily and takes credentials from ST_* in the environment", async () => {
    const server = await swiftServer();
    const container = uniqueContainer("env");
    made.push(container);
    const env = { ST_AUTH: server.authUrl, ST_USER: server.user, ST_KEY: server.key };
    const storage = await storageFromUri(`swift://${container}/pre/fix`, { create: true, env });
    try {
      expect(storage).to.be.instanceOf(SwiftStorage);
      expect(storage.uri).to.equal(`swift://${container}/pre/fix`);
      await storage.write("a/b.txt", "under the prefix");
      expect(await admin.names(container)).to.deep.equal(["pre/fix/a/b.txt"]);
      const { body } = await admin.send("GET", `/${container}/pre/fix/a/b.txt`);
      expect(body.toString()).to.equal("under the prefix");
      expect(storage.uriOf("a/b.txt")).to.equal(`swift://${container}/pre/fix/a/b.txt`);
      // the listing is relative to the prefix, and other prefixes stay invisible
      await admin.send("PUT", `/${container}/pre/other`, {}, "x");
      const keys: string[] = [];
      for await (const k of storage.list()) keys.push(k);
      expect(keys).to.deep.equal(["a/b.txt"]);
    } finally {
      await storage.close();
    }
  });

  it("opens Gen2's swift://host:port/v1.0/<tenant>/<container> with SWIFT_USERNAME/SWIFT_PASSWORD", async () => {
    const server = await swiftServer();
    const container = uniqueContainer("gen2");
    made.push(container);
    await admin.createContainer(container);
    await admin.send("PUT", `/${container}/raw.fits`, {}, "gen2");
    // the endpoint the credentials are for (a Gen2 URI's own host gets no secret otherwise)
    const env = { SWIFT_AUTH_URL: server.authUrl, SWIFT_USERNAME: "tester", SWIFT_PASSWORD: "testing" };
    const storage = await SwiftStorage.open(`swift://127.0.0.1:${server.port}/v1.0/test/${container}`, { env });
    try {
      expect((await storage.read("raw.fits")).toString()).to.equal("gen2");
    } finally {
      await storage.close();
    }
  });

  it("a missing input container is a NotFoundError naming it; with create it is made", async () => {
    const server = await swiftServer();
    const container = uniqueContainer("missing");
    const creds = { authUrl: server.authUrl, user: server.user, key: server.key };
    let err: unknown;
    await SwiftStorage.open(`swift://${container}`, creds).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(NotFoundError);
    expect((err as Error).message).to.include(`"${container}"`).and.include("does not exist");
    expect((await admin.send("HEAD", `/${container}`)).status).to.equal(404);
    made.push(container);
    const storage = await SwiftStorage.open(`swift://${container}`, { ...creds, create: true });
    await storage.close();
    expect((await admin.send("HEAD", `/${container}`)).status).to.equal(204);
  });
});

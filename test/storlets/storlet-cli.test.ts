/**
 * The command line as users run it (the built binary): `skybutler serve --swift-proxy` in front of
 * the real Swift, `skybutler storlet deploy` to it, `skybutler storlet run` locally on the same
 * objects — and the local output identical to what python-swiftclient downloads with
 * `X-Run-Storlet` through the gateway.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { runCli, startServe, stopAllServers, type ServeProcess } from "../support/cli.js";
import { runPython } from "../support/astropy.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftServer, type SwiftServer } from "../support/swift-server.js";
import { FIXTURES } from "./storlet-fixtures.js";

const run = promisify(execFile);

describe("skybutler storlet run / deploy and serve --swift-proxy (the built binary)", function () {
  this.timeout(120_000);
  let swift: SwiftServer;
  let serve: ServeProcess;
  let dir: string;
  let c: string;
  let gatewayEnv: Record<string, string>;
  let directEnv: Record<string, string>;
  const download = async (object: string, headers: string[]): Promise<Buffer> => {
    const out = join(dir, `dl-${Math.random().toString(36).slice(2)}`);
    await run("swift", ["-A", gatewayEnv.ST_AUTH!, "-U", swift.user, "-K", swift.key, "download", c, object, "-o", out, ...headers.flatMap((h) => ["-H", h])]);
    return readFileSync(out);
  };

  before(async () => {
    swift = await swiftServer();
    dir = mkdtempSync(join(tmpdir(), "skybutler-storlet-cli-"));
    serve = await startServe(["--port", "0", "--public-read", "--quiet", "--swift-proxy", `http://127.0.0.1:${swift.port}`]);
    gatewayEnv = { ST_AUTH: `${serve.url}/auth/v1.0`, ST_USER: swift.user, ST_KEY: swift.key };
    directEnv = { ST_AUTH: swift.authUrl, ST_USER: swift.user, ST_KEY: swift.key };
    c = uniqueContainer("storlet-cli");
    const admin = new SwiftAdmin(swift);
    await admin.createContainer(c);
    await admin.send("PUT", `/${c}/source.txt`, { "x-object-meta-testkey": "tester" }, "abcdefghijklmonp");
    await runPython(`import sys, numpy as np\nfrom astropy.io import fits\nd = np.arange(200 * 300, dtype='>f4').reshape(200, 300)\nfits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(d, name='IMAGE')]).writeto(sys.argv[1])`, [join(dir, "img.fits")]);
    await admin.send("PUT", `/${c}/img.fits`, {}, readFileSync(join(dir, "img.fits")));
    await admin.send("POST", "", { "x-account-meta-storlet-enabled": "True" });
  });

  after(async () => {
    await new SwiftAdmin(swift).removeContainer(c);
    await serve?.stop();
    await stopAllServers();
    rmSync(dir, { recursive: true, force: true });
  });

  it("deploys a storlet file and a shipped storlet through the gateway", async () => {
    const half = await runCli(["storlet", "deploy", join(FIXTURES, "half.py"), "--main", "half.HalfStorlet", "--to", "swift://storlet"], { env: gatewayEnv });
    expect(half.stderr).to.equal("");
    expect(half.code).to.equal(0);
    expect(half.stdout).to.contain("X-Run-Storlet: half.py");
    const cutout = await runCli(["storlet", "deploy", "fitscutout", "--to", "swift://storlet", "--json"], { env: gatewayEnv });
    expect(cutout.code).to.equal(0);
    expect(JSON.parse(cutout.stdout)).to.deep.include({ storlet: "fitscutout.js", main: "fitscutout.FitsCutoutStorlet" });
    const refused = await runCli(["storlet", "deploy", join(FIXTURES, "half.py"), "--main", "other.HalfStorlet", "--to", "swift://storlet"], { env: gatewayEnv });
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.contain("Main class should be included in storlet file");
  });

  it("a local run on the Swift object gives what python-swiftclient downloads through the gateway", async () => {
    const out = join(dir, "half.out");
    const local = await runCli(["storlet", "run", join(FIXTURES, "half.py"), "--main", "half.HalfStorlet", "--input", `swift://${c}/source.txt`, "-o", out, "--metadata"], { env: directEnv });
    expect(local.code, local.stderr).to.equal(0);
    expect(JSON.parse(local.stdout)).to.deep.equal({ Testkey: "tester" });
    const remote = await download("source.txt", ["X-Run-Storlet: half.py"]);
    expect(readFileSync(out).toString()).to.equal("acegikmn");
    expect(remote.equals(readFileSync(out))).to.equal(true);
  });

  it("the shipped fitscutout: the same bytes locally (on a local file) and in the gateway", async () => {
    const out = join(dir, "cut.fits");
    const params = ["-p", "x0=10", "-p", "y0=20", "-p", "width=30", "-p", "height=15"];
    const local = await runCli(["storlet", "run", "fitscutout", "--input", join(dir, "img.fits"), ...params, "-o", out]);
    expect(local.code, local.stderr).to.equal(0);
    const remote = await download("img.fits", ["X-Run-Storlet: fitscutout.js", "X-Storlet-Parameter-1: x0:10", "X-Storlet-Parameter-2: y0:20", "X-Storlet-Parameter-3: width:30", "X-Storlet-Parameter-4: height:15"]);
    expect(remote.equals(readFileSync(out))).to.equal(true);
    const first = await runPython(`import sys\nfrom astropy.io import fits\nprint(float(fits.getdata(sys.argv[1])[0, 0]))`, [out]);
    expect(Number(first)).to.equal(20 * 300 + 10);
  });

  it("stdout output, ranges, and clear failures (usage: exit 2; a failing storlet: exit 1 with its log)", async () => {
    const ranged = await runCli(["storlet", "run", join(FIXTURES, "identity.py"), "--main", "identity.IdentityStorlet", "--input", `swift://${c}/source.txt`, "--range", "bytes=-4"], { env: directEnv });
    expect(ranged.stdout).to.equal("monp");
    const noMain = await runCli(["storlet", "run", join(FIXTURES, "half.py"), "--input", join(dir, "img.fits")]);
    expect(noMain.code).to.equal(2);
    expect(noMain.stderr).to.match(/^E_USAGE: give --main module.Class for half.py/);
    const broken = await runCli(["storlet", "run", join(FIXTURES, "broken.py"), "--main", "broken.BrokenStorlet", "--input", join(dir, "img.fits")]);
    expect(broken.code).to.equal(1);
    expect(broken.stderr).to.contain("NameError: name 'xrange' is not defined").and.contain("E_STORLET: storlet broken.BrokenStorlet failed");
    writeFileSync(join(dir, "exists.out"), "keep me");
    const failedOut = await runCli(["storlet", "run", join(FIXTURES, "broken.py"), "--main", "broken.BrokenStorlet", "--input", join(dir, "img.fits"), "-o", join(dir, "exists.out")]);
    expect(failedOut.code).to.equal(1);
    expect(readFileSync(join(dir, "exists.out"), "utf8")).to.equal("keep me");
  });
});

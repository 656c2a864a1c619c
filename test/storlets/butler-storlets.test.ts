/**
 * `butler.get(type, id, { storlet: { name: "fitscutout", params } })`: run where the data is when
 * the repository is served — a Swift behind the storlet gateway, a skybutler server — and locally
 * otherwise, with the same bytes in every case (and the same as astropy's cut of the pixels).
 */
import { expect } from "chai";
import { Butler } from "../../src/butler/butler.js";
import { SkybutlerServer } from "../../src/server/skybutler-server.js";
import { deployStorlet } from "../../src/storlets/deploy-client.js";
import { localStorletCode } from "../../src/storlets/local-code.js";
import { SAMPLE_REPO } from "../../src/testing/index.js";
import { runPythonJson } from "../support/astropy.js";
import { SwiftAdmin, uniqueContainer } from "../support/swift-admin.js";
import { swiftServer, type SwiftServer } from "../support/swift-server.js";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const run = promisify(execFile);
const CUTOUT = { name: "fitscutout", params: { x0: 5, y0: 7, width: 20, height: 10 } };
const DATA_ID = { visit: 1, ccd: 0 };

describe("butler.get with a storlet", function () {
  this.timeout(90_000);
  let swift: SwiftServer;
  let gateway: SkybutlerServer;
  let server: SkybutlerServer;
  let container: string;
  let local: Buffer;

  before(async () => {
    swift = await swiftServer();
    gateway = await SkybutlerServer.start({ port: 0, publicRead: true, swiftProxy: `http://127.0.0.1:${swift.port}` });
    server = await SkybutlerServer.start({ port: 0, publicRead: true, repos: [{ name: "cam", uri: SAMPLE_REPO }], storletRepos: ["cam"] });
    container = uniqueContainer("storlet-butler");
    const auth = `${gateway.url}/auth/v1.0`;
    await run("swift", ["-A", auth, "-U", swift.user, "-K", swift.key, "upload", container, "repositoryCfg.yaml", "registry.sqlite3", "calibRegistry.sqlite3", "raw"], { cwd: SAMPLE_REPO });
    await run("swift", ["-A", auth, "-U", swift.user, "-K", swift.key, "post", "-m", "Storlet-Enabled:True"]);
    await deployStorlet(await localStorletCode("fitscutout"), "swift://storlet", { env: { ST_AUTH: auth, ST_USER: swift.user, ST_KEY: swift.key } });
  });

  after(async () => {
    if (container !== undefined) await new SwiftAdmin(swift).removeContainer(container);
    await gateway?.close();
    await server?.close();
  });

  it("runs locally on a local repository: astropy's pixels of the box, in a valid FITS file", async () => {
    const butler = await Butler.create({ inputs: SAMPLE_REPO });
    try {
      const result = await butler.get("raw", DATA_ID, { storlet: CUTOUT });
      expect(result.ranAt).to.equal("local");
      expect(result.metadata["content-type"]).to.equal("application/fits");
      local = result.data;
      const dir = mkdtempSync(join(tmpdir(), "skybutler-cut-"));
      try {
        writeFileSync(join(dir, "cut.fits"), local);
        const check = await runPythonJson<{ equal: boolean; shape: number[] }>(
          `import sys, json, numpy as np\nfrom astropy.io import fits\nc = fits.open(sys.argv[1]); c.verify('exception')\nsrc = fits.getdata(sys.argv[2])\nprint(json.dumps(dict(equal=bool(np.array_equal(c[0].data, src[7:17, 5:25])), shape=list(c[0].data.shape))))`,
          [join(dir, "cut.fits"), join(SAMPLE_REPO, "raw", "v1_fg_c00.fits")],
        );
        expect(check).to.deep.equal({ equal: true, shape: [10, 20] });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await butler.close();
    }
  });

  it("runs on the skybutler server of a skybutler+http repository, with the same bytes", async () => {
    const butler = await Butler.create({ inputs: `skybutler+${server.url}/cam` });
    try {
      const result = await butler.get("raw", DATA_ID, { storlet: CUTOUT });
      expect(result.ranAt).to.equal("storage");
      expect(result.data.equals(local)).to.equal(true);
      expect(result.metadata["content-type"]).to.equal("application/fits");
    } finally {
      await butler.close();
    }
  });

  it("runs in the Swift gateway for a Swift repository reached through it, with the same bytes", async () => {
    const butler = await Butler.create({ inputs: { root: `swift://${container}`, storageOptions: { authUrl: `${gateway.url}/auth/v1.0`, user: swift.user, key: swift.key } } });
    try {
      const result = await butler.get("raw", DATA_ID, { storlet: CUTOUT });
      expect(result.ranAt).to.equal("storage");
      expect(result.data.equals(local)).to.equal(true);
    } finally {
      await butler.close();
    }
  });

  it("runs locally for a Swift repository reached directly (no gateway), with the same bytes", async () => {
    const butler = await Butler.create({ inputs: { root: `swift://${container}`, storageOptions: { authUrl: swift.authUrl, user: swift.user, key: swift.key } } });
    try {
      const result = await butler.get("raw", DATA_ID, { storlet: CUTOUT });
      expect(result.ranAt).to.equal("local");
      expect(result.data.equals(local)).to.equal(true);
    } finally {
      await butler.close();
    }
  });
});

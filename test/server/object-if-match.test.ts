/**
 * `If-Match` on the object routes of a real `skybutler serve` (the built binary, port 0): a client
 * reading one version range by range sends the ETag of its first answer with every later range;
 * the server serves that version only, and answers 412 `E_CHANGED` once the object was replaced.
 */
import { expect } from "chai";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServe, tokenFile, TOKENS, type ServeProcess } from "../support/cli.js";
import { call } from "../support/http-call.js";

describe("skybutler serve: If-Match on object GETs", function () {
  this.timeout(60_000);
  let work: string;
  let server: ServeProcess;
  let tokens: ReturnType<typeof tokenFile>;
  let url: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-if-match-"));
    await writeFile(join(work, "frame.fits"), "first version of the frame");
    tokens = tokenFile([[TOKENS.read, "read"]]);
    server = await startServe(["--port", "0", "--repo", `r=${work}`, "--token-file", tokens.path, "--public-read", "--quiet"]);
    url = `${server.url}/api/v1/repos/r/objects/frame.fits`;
  });
  after(async () => {
    await server.stop();
    tokens.remove();
    await rm(work, { recursive: true, force: true });
  });

  it("serves a range of the version If-Match names, and 412 E_CHANGED once it was replaced", async () => {
    const first = await call(url, { headers: { range: "bytes=0-4" } });
    expect(first.status).to.equal(206);
    expect(first.text).to.equal("first");
    const etag = String(first.headers.etag);
    const pinned = await call(url, { headers: { range: "bytes=6-12", "if-match": etag } });
    expect(pinned.status).to.equal(206);
    expect(pinned.text).to.equal("version");
    expect((await call(url, { headers: { "if-match": `"other", ${etag}` } })).text).to.equal("first version of the frame");
    expect((await call(url, { headers: { "if-match": "*" } })).status).to.equal(200);
    // a weak validator cannot pin bytes (strong comparison)
    const weak = await call(url, { headers: { range: "bytes=0-4", "if-match": `W/${etag}` } });
    expect(weak.status).to.equal(412);

    await writeFile(join(work, "frame.fits.tmp"), "second version, another length");
    await rename(join(work, "frame.fits.tmp"), join(work, "frame.fits"));
    for (const range of ["bytes=6-12", "bytes=0-"]) {
      const stale = await call(url, { headers: { range, "if-match": etag } });
      expect(stale.status, range).to.equal(412);
      expect(stale.json).to.include({ code: "E_CHANGED" });
      expect(stale.text).to.not.include(work); // never a server path
    }
    const head = await call(url, { method: "HEAD", headers: { "if-match": etag } });
    expect(head.status).to.equal(412);
    const fresh = await call(url, { headers: { range: "bytes=0-5" } });
    expect(fresh.text).to.equal("second");
    expect(fresh.headers.etag).to.not.equal(etag);
  });
});

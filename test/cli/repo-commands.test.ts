/**
 * `skybutler types | keys | query | uri` (the built binary) on the sample repository, as text and
 * with `--json`, and their usage and lookup errors.
 */
import { expect } from "chai";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runCli } from "../support/cli.js";

const REPO = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

describe("skybutler types, keys, query, uri", function () {
  this.timeout(30_000);

  it("types lists the mapper's dataset types; --json gives the same as an array", async () => {
    const text = await runCli(["types", REPO]);
    expect(text.code).to.equal(0);
    const lines = text.stdout.trim().split("\n");
    expect(lines).to.include.members(["raw", "calexp", "flat", "raw_md", "raw_sub"]);
    const json = await runCli(["--json", "types", REPO]);
    expect(JSON.parse(json.stdout)).to.deep.equal(lines);
  });

  it("keys and query answer from the policy and the registry", async () => {
    const keys = await runCli(["keys", REPO, "raw", "--json"]);
    expect(Object.keys(JSON.parse(keys.stdout) as object)).to.include.members(["visit", "ccd", "filter"]);
    const query = await runCli(["query", REPO, "raw", "visit", "filter", "--where", "ccd=0"]);
    expect(query.stdout).to.equal("1\tg\n2\tg\n3\tr\n4\tr\n");
    const json = await runCli(["query", REPO, "raw", "visit", "--where", "ccd=0", "--where", "filter=r", "--json"]);
    expect(JSON.parse(json.stdout)).to.deep.equal([3, 4]);
  });

  it("uri says where a dataset is; errors are one E_CODE line with exit 1, usage errors exit 2", async () => {
    const uri = await runCli(["uri", REPO, "raw", "visit=1", "ccd=0"]);
    expect(uri.stdout).to.equal(`${pathToFileURL(REPO).href}/raw/v1_fg_c00.fits\n`);
    const unknown = await runCli(["keys", REPO, "rawx"]);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/^E_UNKNOWN_DATASET_TYPE: unknown dataset type "rawx"; did you mean "raw"/);
    const usage = await runCli(["uri", REPO, "raw", "visit"]);
    expect([usage.code, usage.stderr]).to.deep.equal([2, 'E_USAGE: expected key=value, got "visit"\n']);
    const quiet = await runCli(["-q", "types", "/no/such/repo"]);
    expect(quiet.code).to.equal(1);
    expect(quiet.stderr).to.match(/^E_[A-Z_]+: .*\/no\/such\/repo/);
    expect(quiet.stderr.trim().split("\n")).to.have.length(1);
  });
});

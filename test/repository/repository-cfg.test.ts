/**
 * repositoryCfg.yaml as a hostile or mistaken hand may write it: unknown keys and cycles of parents
 * are refused with a ConfigError (found by the reliability harness's hostile corpus).
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Butler } from "../../src/butler/butler.js";
import { ConfigError } from "../../src/errors.js";
import { rejection } from "../../src/testing/assertions.js";

describe("repositoryCfg.yaml", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "skybutler-cfg-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A repository directory holding the given configuration text. */
  function repo(name: string, cfg: string): string {
    const root = join(dir, name);
    mkdirSync(root);
    writeFileSync(join(root, "repositoryCfg.yaml"), cfg);
    return root;
  }

  it("refuses an unknown (misspelt) key, naming it", async () => {
    const root = repo("a", "mapper: testcam\nparent: [/elsewhere]\n");
    const err = await rejection(Butler.create({ inputs: root }));
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.include('"parent"');
  });

  it("refuses parents that form a cycle, and a repository that is its own parent", async () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    repo("a", `mapper: testcam\nparents: [${b}]\n`);
    repo("b", `mapper: testcam\nparents: [${a}]\n`);
    const cycle = await rejection(Butler.create({ inputs: a }));
    expect(cycle).to.be.instanceOf(ConfigError);
    expect((cycle as Error).message).to.match(/cycle/);
    const self = repo("self", `mapper: testcam\nparents: [${join(dir, "self")}]\n`);
    expect(await rejection(Butler.create({ inputs: self }))).to.be.instanceOf(ConfigError);
  });

  it("still opens a diamond: two parents sharing one grandparent", async () => {
    const sample = new URL("../../data/testcam-repo", import.meta.url).pathname;
    const left = repo("left", `mapper: testcam\nparents: [${sample}]\n`);
    const right = repo("right", `mapper: testcam\nparents: [${sample}]\n`);
    const top = repo("top", `mapper: testcam\nparents: [${left}, ${right}]\n`);
    const butler = await Butler.create({ inputs: top });
    try {
      expect(butler.searchPath.filter((r) => r.endsWith("testcam-repo"))).to.have.length(1);
    } finally {
      await butler.close();
    }
  });
});

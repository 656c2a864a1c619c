/**
 * A local output whose `datasets.sqlite3` (or its `-wal` companion) is a symbolic link to a file
 * elsewhere: opening it for puts is refused with ConfigError, and the link's target is untouched
 * (before the fix, every put wrote its record through the link, outside the repository root).
 */
import { expect } from "chai";
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Butler, ConfigError } from "../../src/testing/index.js";
import { rejection } from "../../src/testing/assertions.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

describe("a symbolic link in place of the dataset records", () => {
  let work: string;
  let elsewhere: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-records-link-"));
    elsewhere = await mkdtemp(join(tmpdir(), "skybutler-records-target-"));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
    await rm(elsewhere, { recursive: true, force: true });
  });

  for (const companion of ["", "-wal"]) {
    it(`${companion === "" ? "datasets.sqlite3" : `datasets.sqlite3${companion}`} linked to a file in another directory: ConfigError, the target untouched`, async () => {
      const out = join(work, "out");
      await (await Butler.create({ inputs: INPUT, outputs: out })).close();
      const linked = join(out, `datasets.sqlite3${companion}`);
      await rm(linked, { force: true });
      if (companion !== "") await rm(join(out, "datasets.sqlite3-shm"), { force: true });
      const target = join(elsewhere, "precious.db");
      await writeFile(target, ""); // an empty file: sqlite would happily make it a database

      const before = await stat(target);
      await symlink(target, linked);

      const err = await rejection(Butler.create({ outputs: out }).then(async (b) => {
        try {
          await b.put({ n: 1 }, "jsonThing", { visit: 1 });
        } finally {
          await b.close();
        }
      }));
      expect(err).to.be.instanceOf(ConfigError);
      expect(err.message).to.include("symbolic link");
      expect(await readFile(target, "utf8")).to.equal("");
      expect((await stat(target)).mtimeMs).to.equal(before.mtimeMs);
      expect(await readdir(elsewhere)).to.deep.equal(["precious.db"]); // no -wal, -shm beside the target
      expect(await readdir(join(out))).not.to.include("json"); // nothing was put
    });
  }
});

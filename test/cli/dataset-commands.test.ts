/**
 * `skybutler create | ingest | info | get | put | registry build` (the built binary) on local
 * repositories: a repository made and ingested from the sample's raw files registers exactly the
 * rows the sample's registry has; ingest is idempotent, links and moves, and refuses conflicting
 * files one by one; get finds datasets through parents; put stores only what its formatter accepts;
 * a rebuilt registry equals the sample's. Exit statuses and `--json` as every command.
 */
import { expect } from "chai";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runCli } from "../support/cli.js";
import { dumpRegistry } from "../support/registry-dump.js";
import { rawCards, writeRaw } from "../support/raw-frames.js";
import { filesBelow } from "../../src/testing/files-below.js";
import { SAMPLE_VISITS } from "../../scripts/sample-data.js";

const SAMPLE = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));
const RAW = join(SAMPLE, "raw");

/** Every file below a directory, temp files of pending writes included. */
const files = (dir: string): string[] => filesBelow(dir).map((p) => p.slice(dir.length + 1)).sort();

describe("skybutler create, ingest, info, get, put, registry build", function () {
  this.timeout(60_000);
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-cli-datasets-"));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("create makes a repository once: again with the same settings is a no-op, with others an error; an unknown mapper makes nothing", async () => {
    const repo = join(work, "repo");
    const made = await runCli(["create", repo, "--mapper", "testcam", "--json"]);
    expect(made.code, made.stderr).to.equal(0);
    expect(JSON.parse(made.stdout)).to.deep.equal({ root: pathToFileURL(repo).href, mapper: "testcam", parents: [], created: true });
    expect(await readFile(join(repo, "repositoryCfg.yaml"), "utf8")).to.include("mapper: testcam");
    const again = await runCli(["create", repo, "--mapper", "testcam"]);
    expect([again.code, again.stdout]).to.deep.equal([0, `exists already: ${pathToFileURL(repo).href} (mapper testcam)\n`]);
    const other = await runCli(["create", repo, "--mapper", "minicam"]);
    expect(other.code).to.equal(1);
    expect(other.stderr).to.match(/^E_CONFIG: .* is a repository already, with mapper "testcam"/);

    const unknown = await runCli(["create", join(work, "nope"), "--mapper", "nocam"]);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/^E_CONFIG: no mapper registered as "nocam"; known mappers: .*testcam/);
    expect(await stat(join(work, "nope")).catch(() => undefined)).to.equal(undefined);
    const usage = await runCli(["create", join(work, "x")]);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.match(/^E_USAGE: .*--mapper/);
  });

  it("ingest stores the raw files at their template paths and registers the sample's rows; a second run changes nothing", async () => {
    const repo = join(work, "repo");
    expect((await runCli(["create", repo, "--mapper", "testcam"])).code).to.equal(0);
    const first = await runCli(["ingest", repo, RAW]);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/^ingested 12 files \(.+\) in [\d.]+ s.*; 0 skipped, 0 failed\n$/);
    expect(files(join(repo, "raw"))).to.deep.equal((await readdir(RAW)).sort());
    for (const name of await readdir(RAW)) expect((await readFile(join(repo, "raw", name))).equals(await readFile(join(RAW, name))), name).to.equal(true);
    expect(dumpRegistry(join(repo, "registry.sqlite3"))).to.deep.equal(dumpRegistry(join(SAMPLE, "registry.sqlite3")));

    const before = await stat(join(repo, "raw", "v1_fg_c00.fits"));
    const second = await runCli(["ingest", repo, RAW, "--json"]);
    expect(second.code, second.stderr).to.equal(0);
    expect(JSON.parse(second.stdout)).to.include({ transferred: 0, skipped: 12, failed: 0 });
    expect((await stat(join(repo, "raw", "v1_fg_c00.fits"))).ino).to.equal(before.ino);
    expect(dumpRegistry(join(repo, "registry.sqlite3"))).to.deep.equal(dumpRegistry(join(SAMPLE, "registry.sqlite3")));
    expect(files(repo).filter((f) => f.includes(".tmp"))).to.deep.equal([]);

    // a file that was stored without its row (e.g. copied in by hand) gets its row
    await rm(join(repo, "registry.sqlite3"));
    const rows = await runCli(["ingest", repo, join(RAW, "v1_fg_c00.fits"), "--json"]);
    expect(JSON.parse(rows.stdout)).to.include({ transferred: 1, skipped: 0 });
    expect(dumpRegistry(join(repo, "registry.sqlite3")).find(([t]) => t === "raw")![1]).to.have.length(1);
  });

  it("ingest --mode link shares the file's inode; --mode move takes the file away only once it is stored", async () => {
    const linked = join(work, "linked");
    await runCli(["create", linked, "--mapper", "testcam"]);
    const link = await runCli(["ingest", linked, join(RAW, "v1_fg_c00.fits"), join(RAW, "v3_fr_c01.fits"), "--mode", "link"]);
    expect(link.code, link.stderr).to.equal(0);
    expect((await stat(join(linked, "raw", "v1_fg_c00.fits"))).ino).to.equal((await stat(join(RAW, "v1_fg_c00.fits"))).ino);

    const moved = join(work, "moved");
    const incoming = join(work, "incoming");
    await mkdir(incoming);
    for (const name of ["v2_fg_c00.fits", "v2_fg_c01.fits"]) await copyFile(join(RAW, name), join(incoming, name));
    await writeFile(join(incoming, "notes.txt"), "not a FITS file\n");
    await runCli(["create", moved, "--mapper", "testcam"]);
    const move = await runCli(["ingest", moved, incoming, "--mode", "move"]);
    expect(move.code).to.equal(1);
    expect(move.stderr).to.match(/^E_FITS: .*notes\.txt: "raw" is stored as FITS and this file is not a usable one/);
    expect(move.stdout).to.match(/^ingested 2 files .*; 0 skipped, 1 failed\n$/);
    // the refused file stays where it was; the ingested ones are gone from there
    expect(await readdir(incoming)).to.deep.equal(["notes.txt"]);
    expect(files(join(moved, "raw"))).to.deep.equal(["v2_fg_c00.fits", "v2_fg_c01.fits"]);
    expect((await readFile(join(moved, "raw", "v2_fg_c01.fits"))).equals(await readFile(join(RAW, "v2_fg_c01.fits")))).to.equal(true);

    const bad = await runCli(["ingest", moved, RAW, "--mode", "sideways"]);
    expect([bad.code, bad.stderr]).to.deep.equal([2, 'E_USAGE: --mode must be one of copy, link, move, got "sideways"\n']);
  });

  it("ingest refuses, file by file, what conflicts: another file for a stored data id, a header that contradicts the registry, a missing card", async () => {
    const repo = join(work, "repo");
    await runCli(["create", repo, "--mapper", "testcam"]);
    expect((await runCli(["ingest", repo, RAW, "--quiet"])).code).to.equal(0);
    const stored = await readFile(join(repo, "raw", "v1_fg_c00.fits"));
    const registry = dumpRegistry(join(repo, "registry.sqlite3"));
    const sample = JSON.parse(JSON.stringify(registry)) as typeof registry;

    const bad = join(work, "bad");
    await mkdir(bad);
    const v1 = SAMPLE_VISITS[0];
    const sameId = { VISIT: 1, CCD: 0, FILTER: "g", EXPTIME: 30, "DATE-OBS": v1.dateObs, OBJECT: v1.field };
    await writeRaw(join(bad, "a-other-pixels.fits"), sameId, 7);
    await writeRaw(join(bad, "b-other-filter.fits"), { ...sameId, CCD: 5, FILTER: "r" });
    await writeRaw(join(bad, "c-no-exptime.fits"), { ...rawCards(7, 0, "g"), EXPTIME: undefined });
    await writeRaw(join(bad, "d-new.fits"), rawCards(7, 0, "g"));
    const run = await runCli(["ingest", repo, bad]);
    expect(run.code).to.equal(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).to.have.length(3);
    expect(lines[0]).to.match(/^E_ALREADY_EXISTS: .*a-other-pixels\.fits: a different file is stored as "raw" \{"visit":1,"ccd":0,.*\} already; remove it first to replace it$/);
    expect(lines[1]).to.match(/^E_REGISTRY: .*b-other-filter\.fits: visit=1 is registered in "raw_visit" with filter "g", not "r"/);
    expect(lines[2]).to.match(/^E_DATA_ID: .*c-no-exptime\.fits: its metadata has no EXPTIME \(registry column "expTime"\)$/);
    expect(run.stdout).to.match(/^ingested 1 file .*; 0 skipped, 3 failed\n$/);
    // the stored file is untouched; the only new row is d-new's; nothing half-written is left
    expect((await readFile(join(repo, "raw", "v1_fg_c00.fits"))).equals(stored)).to.equal(true);
    expect(await stat(join(repo, "raw", "v1_fg_c05.fits")).catch(() => undefined)).to.equal(undefined);
    const after = dumpRegistry(join(repo, "registry.sqlite3"));
    const rawRows = after.find(([t]) => t === "raw")![1];
    expect(rawRows).to.have.length(13);
    expect(rawRows.filter((r) => !sample.find(([t]) => t === "raw")![1].some((s) => JSON.stringify(s) === JSON.stringify(r)))).to.deep.equal([
      { visit: 7, ccd: 0, filter: "g", expTime: 30, taiObs: "2026-03-07T03:00:00.000", field: "TESTFIELD" },
    ]);
    expect(files(repo).filter((f) => f.includes(".tmp"))).to.deep.equal([]);
  });

  it("get writes a dataset's stored bytes found through the parents, to a file, a directory or stdout", async () => {
    const child = join(work, "child");
    const made = await runCli(["create", child, "--mapper", "testcam", "--parent", SAMPLE]);
    expect(made.code, made.stderr).to.equal(0);
    const expected = await readFile(join(RAW, "v3_fr_c02.fits"));

    const here = await runCli(["get", child, "raw", "visit=3", "ccd=2"], { cwd: work });
    expect([here.code, here.stdout]).to.deep.equal([0, `${join(work, "v3_fr_c02.fits")}\n`]);
    expect((await readFile(join(work, "v3_fr_c02.fits"))).equals(expected)).to.equal(true);
    const named = await runCli(["get", child, "raw", "visit=3", "ccd=2", "-o", join(work, "named.fits"), "--json"]);
    expect(JSON.parse(named.stdout)).to.deep.equal({
      file: join(work, "named.fits"),
      bytes: expected.length,
      mediaType: "application/fits",
      datasetType: "raw",
      dataId: { visit: 3, ccd: 2, filter: "r" },
    });
    await mkdir(join(work, "out"));
    expect((await runCli(["get", child, "raw", "visit=3", "ccd=2", "-o", join(work, "out")])).code).to.equal(0);
    expect((await readFile(join(work, "out", "v3_fr_c02.fits"))).equals(expected)).to.equal(true);

    const view = await runCli(["get", child, "raw_md", "visit=3", "ccd=2"], { cwd: work });
    expect([view.code, view.stderr]).to.deep.equal([2, 'E_USAGE: "raw_md" is a read-only view (header) of a dataset and has no stored bytes of its own; ask for the dataset itself\n']);
    const missing = await runCli(["get", child, "raw", "visit=9", "ccd=0"], { cwd: work });
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^E_DATA_ID: no registry entry for "raw" matches data id/);
    const traversal = await runCli(["get", child, "raw", "visit=1", "ccd=0", "filter=../../etc"], { cwd: work });
    expect(traversal.code).to.equal(1);
    expect(traversal.stderr).to.match(/^E_DATA_ID: the value of "filter" \("..\/..\/etc"\) contains a path separator/);
    const conflict = await runCli(["--json", "get", child, "raw", "visit=1", "ccd=0", "-o", "-"]);
    expect(conflict.code).to.equal(2);
    expect(await readdir(work)).to.have.members(["child", "v3_fr_c02.fits", "named.fits", "out"]);
  });

  it("get -o - streams exactly the stored bytes to stdout", async () => {
    const { spawn } = await import("node:child_process");
    const { CLI, ensureBuilt } = await import("../support/cli.js");
    ensureBuilt();
    const child = spawn(process.execPath, [CLI, "get", SAMPLE, "raw", "visit=4", "ccd=1", "-o", "-"], { stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).to.equal(0);
    expect(Buffer.concat(chunks).equals(await readFile(join(RAW, "v4_fr_c01.fits")))).to.equal(true);
  });

  it("put stores a file its formatter accepts and nothing else; a missing repository is not created", async () => {
    const repo = join(work, "repo");
    await runCli(["create", repo, "--mapper", "testcam", "--parent", SAMPLE]);
    const put = await runCli(["put", repo, "calexp", "visit=1", "ccd=0", join(RAW, "v1_fg_c00.fits"), "--json"]);
    expect(put.code, put.stderr).to.equal(0);
    expect(JSON.parse(put.stdout)).to.deep.equal({ datasetType: "calexp", dataId: { visit: 1, ccd: 0, filter: "g" }, uri: pathToFileURL(join(repo, "calexp", "v1_fg_c00.fits")).href });
    expect((await readFile(join(repo, "calexp", "v1_fg_c00.fits"))).equals(await readFile(join(RAW, "v1_fg_c00.fits")))).to.equal(true);

    const notFits = join(work, "not.fits");
    await writeFile(notFits, "SIMPLE  =                    T / but nothing else\n");
    const bad = await runCli(["put", repo, "calexp", "visit=2", "ccd=0", notFits]);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/^E_FITS: "calexp" is stored as FITS and this file is not a usable one: /);
    const json = join(work, "thing.json");
    await writeFile(json, "{ not json");
    const badJson = await runCli(["put", repo, "jsonThing", "visit=1", json]);
    expect(badJson.code).to.equal(1);
    expect(badJson.stderr).to.match(/^E_FORMATTER: cannot read this file for "jsonThing" as JsonStorage: /);
    await writeFile(json, '{"ok": true}\n');
    expect((await runCli(["put", repo, "jsonThing", "visit=1", json])).code).to.equal(0);
    expect(files(repo).filter((f) => !f.startsWith("datasets.sqlite3"))).to.deep.equal(["calexp/v1_fg_c00.fits", "json/v1.json", "repositoryCfg.yaml"]);

    // stdin, and --backup keeping the replaced one (~1) and the new one (~2)
    const { spawn } = await import("node:child_process");
    const { CLI } = await import("../support/cli.js");
    const child = spawn(process.execPath, [CLI, "put", repo, "calexp", "visit=1", "ccd=0", "-", "--backup", "--quiet"], { stdio: ["pipe", "pipe", "pipe"] });
    child.stdin.end(await readFile(join(RAW, "v1_fg_c01.fits")));
    expect(await new Promise((resolve) => child.on("close", resolve))).to.equal(0);
    expect((await readFile(join(repo, "calexp", "v1_fg_c00.fits"))).equals(await readFile(join(RAW, "v1_fg_c01.fits")))).to.equal(true);
    expect((await readFile(join(repo, "calexp", "v1_fg_c00.fits~1"))).equals(await readFile(join(RAW, "v1_fg_c00.fits")))).to.equal(true);
    expect((await readFile(join(repo, "calexp", "v1_fg_c00.fits~2"))).equals(await readFile(join(RAW, "v1_fg_c01.fits")))).to.equal(true);
    // a refused file replaces nothing, so it makes no backup either
    expect((await runCli(["put", repo, "calexp", "visit=1", "ccd=0", notFits, "--backup"])).code).to.equal(1);
    expect(files(join(repo, "calexp"))).to.deep.equal(["v1_fg_c00.fits", "v1_fg_c00.fits~1", "v1_fg_c00.fits~2"]);

    const nowhere = await runCli(["put", join(work, "nowhere"), "calexp", "visit=1", "ccd=0", join(RAW, "v1_fg_c00.fits")]);
    expect(nowhere.code).to.equal(1);
    expect(nowhere.stderr).to.match(/^E_CONFIG: .*nowhere does not exist; create one with `skybutler create/);
    expect(await stat(join(work, "nowhere")).catch(() => undefined)).to.equal(undefined);
    const noFile = await runCli(["put", repo, "calexp", "visit=1", "ccd=0", join(work, "absent.fits")]);
    expect(noFile.code).to.equal(1);
    expect(noFile.stderr).to.match(/^E_NOT_FOUND: no object at key ".*absent\.fits" in the local filesystem/);
    const view = await runCli(["put", repo, "calexp_md", "visit=1", "ccd=0", join(RAW, "v1_fg_c00.fits")]);
    expect([view.code, view.stderr]).to.deep.equal([2, 'E_USAGE: "calexp_md" is read-only: it is computed from "calexp" on get; put "calexp" instead\n']);
    const noFileArg = await runCli(["put", repo, "calexp", "visit=1", "ccd=0"]);
    expect(noFileArg.code).to.equal(2);
    expect(noFileArg.stderr).to.match(/^E_USAGE: the last argument is the file to store/);
  });

  it("info shows the mapper, the parents, each registry's tables and rows, the storage; registry build rebuilds the sample's registry", async () => {
    const repo = join(work, "repo");
    await runCli(["create", repo, "--mapper", "testcam", "--parent", SAMPLE]);
    const info = await runCli(["info", repo]);
    expect(info.code, info.stderr).to.equal(0);
    const text = info.stdout;
    expect(text).to.match(new RegExp(`^repository    ${pathToFileURL(repo).href}\\nmapper        testcam \\(ingests raw\\)\\nparents       ${pathToFileURL(SAMPLE).href}\\n`));
    expect(text).to.include("registry      registry.sqlite3 (a parent's): raw 12 rows, raw_visit 4 rows\n");
    expect(text).to.include("calibRegistry calibRegistry.sqlite3 (a parent's): bias 6 rows, flat 12 rows\n");
    expect(text).to.match(/storage {7}file: local paths, ranged reads; [\d.]+ \w+ free of [\d.]+ \w+\n/);
    expect(text).to.include(`\nparent        ${pathToFileURL(SAMPLE).href}\n`);
    const json = JSON.parse((await runCli(["info", SAMPLE, "--json", "--count"])).stdout) as Array<Record<string, any>>;
    expect(json).to.have.length(1);
    expect(json[0]).to.deep.include({ root: pathToFileURL(SAMPLE).href, mode: "r", mapper: "testcam", parents: [], ingestType: "raw" });
    expect(json[0]!.registry).to.deep.equal({ kind: "table", inherited: false, tables: { raw: 12, raw_visit: 4 } });
    expect(json[0]!.storage.capabilities).to.deep.equal({ localPath: true, metadata: false, rangedRead: true });
    expect(json[0]!.storage.statistics.objects).to.equal(files(SAMPLE).length);

    // a copy of the sample without its registry: built again from the raw headers, the same rows
    const copy = join(work, "copy");
    await mkdir(join(copy, "raw"), { recursive: true });
    await copyFile(join(SAMPLE, "repositoryCfg.yaml"), join(copy, "repositoryCfg.yaml"));
    for (const name of await readdir(RAW)) await copyFile(join(RAW, name), join(copy, "raw", name));
    const built = await runCli(["registry", "build", copy]);
    expect(built.code, built.stderr).to.equal(0);
    expect(built.stdout).to.equal("built registry.sqlite3: raw 12 rows, raw_visit 4 rows; 0 failed\n");
    expect(dumpRegistry(join(copy, "registry.sqlite3"))).to.deep.equal(dumpRegistry(join(SAMPLE, "registry.sqlite3")));

    // a raw whose name disagrees with its header, and one that is no FITS: left out, one line each, exit 1
    await copyFile(join(RAW, "v1_fg_c00.fits"), join(copy, "raw", "v1_fg_c07.fits"));
    await writeFile(join(copy, "raw", "v9_fg_c00.fits"), "no FITS");
    const partial = await runCli(["registry", "build", copy, "--json"]);
    expect(partial.code).to.equal(1);
    const failures = partial.stderr.trim().split("\n");
    expect(failures).to.have.length(2);
    expect(failures[0]).to.equal("E_DATA_ID: raw/v1_fg_c07.fits: its metadata says ccd=0, its name ccd=7");
    expect(failures[1]).to.match(/^E_FITS: raw\/v9_fg_c00\.fits: "raw" is stored as FITS and this file is not a usable one/);
    expect(JSON.parse(partial.stdout)).to.deep.include({ tables: { raw: 12, raw_visit: 4 } });
    const nothing = join(work, "empty");
    await runCli(["create", nothing, "--mapper", "testcam"]);
    const empty = await runCli(["registry", "build", nothing]);
    expect(empty.code).to.equal(1);
    expect(empty.stderr).to.match(/^E_REGISTRY: no stored file yields a registry row: none matches "raw\/v%\(visit\)d_f%\(filter\)s_c%\(ccd\)02d\.fits"; ingest files first\n$/);
  });
});

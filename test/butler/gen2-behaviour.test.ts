/**
 * Acceptance tests for the Butler, each stated as the Gen2 behaviour it keeps (or the Gen2 flaw it
 * fixes, where noted).
 */
import { expect } from "chai";
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import {
  Butler,
  ConfigError,
  DataIdError,
  DatasetConflictError,
  Exposure,
  ReadProxy,
  UnknownDatasetTypeError,
  readRepositoryCfg,
  storageFromUri,
  type PixelArray,
} from "../../src/index.js";
import { rejection } from "../support/assertions.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));
const uri = (path: string) => pathToFileURL(path).href;
const run = promisify(execFile);

describe("Butler behaviour (as Gen2 did, or better)", () => {
  let work: string;
  const open: Butler[] = [];
  async function butler(options: Parameters<typeof Butler.create>[0]): Promise<Butler> {
    const b = await Butler.create(options);
    open.push(b);
    return b;
  }

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-gen2-"));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    await rm(work, { recursive: true, force: true });
  });

  it("puts and gets a pickled dict in an rw output; datasetExists is true for write and for read", async () => {
    const b = await butler({ inputs: INPUT, outputs: { root: join(work, "out"), mode: "rw" } });
    await b.put({ a: 1, list: [1, 2] }, "pickled", { visit: 2, filter: "g" });
    expect(await b.get("pickled", { visit: 2, filter: "g" })).to.deep.equal({ a: 1, list: [1, 2] });
    expect(await b.datasetExists("pickled", { visit: 2, filter: "g" }, { write: true })).to.equal(true);
    expect(await b.datasetExists("pickled", { visit: 2, filter: "g" })).to.equal(true);
    expect(await b.datasetExists("pickled", { visit: 3, filter: "r" })).to.equal(false);
  });

  it("with two inputs holding the same data id, returns the first-listed input's object", async () => {
    for (const name of ["a", "b"]) {
      const w = await butler({ inputs: INPUT, outputs: join(work, name) });
      await w.put({ from: name }, "pickled", { visit: 1, filter: "g" });
    }
    const ab = await butler({ inputs: [join(work, "a"), join(work, "b")] });
    expect(await ab.get("pickled", { visit: 1, filter: "g" })).to.deep.equal({ from: "a" });
    const ba = await butler({ inputs: [join(work, "b"), join(work, "a")] });
    expect(await ba.get("pickled", { visit: 1, filter: "g" })).to.deep.equal({ from: "b" });
    // each input's parent (the sample repository) comes after it, once
    expect(ab.searchPath).to.deep.equal([uri(join(work, "a")), uri(INPUT), uri(join(work, "b"))]);
  });

  it("an rw output shadows an input after a put", async () => {
    const first = await butler({ inputs: INPUT, outputs: join(work, "in") });
    await first.put({ v: "input" }, "jsonThing", { visit: 1 });
    const b = await butler({ inputs: join(work, "in"), outputs: { root: join(work, "out"), mode: "rw" } });
    expect(await b.get("jsonThing", { visit: 1 })).to.deep.equal({ v: "input" });
    await b.put({ v: "output" }, "jsonThing", { visit: 1 });
    expect(await b.get("jsonThing", { visit: 1 })).to.deep.equal({ v: "output" });
  });

  it("one put with two outputs writes both", async () => {
    const b = await butler({ inputs: INPUT, outputs: [join(work, "o1"), join(work, "o2")] });
    await b.put({ x: 1 }, "jsonThing", { visit: 4 });
    for (const o of ["o1", "o2"]) {
      expect(JSON.parse(await readFile(join(work, o, "json/v4.json"), "utf8"))).to.deep.equal({ x: 1 });
    }
    expect(await rejection(butler({ inputs: INPUT, outputs: [{ root: join(work, "o3"), mode: "rw" }, join(work, "o4")] }))).to.be.instanceOf(
      ConfigError,
    );
  });

  it("records parents relative on disk and returns them absolute", async () => {
    await butler({ inputs: INPUT, outputs: join(work, "deep", "out") });
    const onDisk = parseYaml(await readFile(join(work, "deep", "out", "repositoryCfg.yaml"), "utf8")) as { parents: string[] };
    expect(onDisk.parents[0]).to.match(/^\.\.\//);
    const storage = await storageFromUri(join(work, "deep", "out"));
    try {
      expect((await readRepositoryCfg(storage))!.parents).to.deep.equal([uri(INPUT)]);
    } finally {
      await storage.close();
    }
  });

  it("raises when a reopened output is given inputs that do not match its recorded parents", async () => {
    await butler({ inputs: INPUT, outputs: join(work, "out") });
    await butler({ inputs: INPUT, outputs: join(work, "other") });
    const err = await rejection(butler({ inputs: join(work, "other"), outputs: join(work, "out") }));
    expect(err).to.be.instanceOf(ConfigError);
    expect(err.message).to.match(/recorded parents/);
    // equal, and extended, inputs are accepted; the extension is recorded
    await butler({ inputs: INPUT, outputs: join(work, "out") });
    await butler({ inputs: [INPUT, join(work, "other")], outputs: join(work, "out") });
    const cfg = parseYaml(await readFile(join(work, "out", "repositoryCfg.yaml"), "utf8")) as { parents: string[] };
    expect(cfg.parents).to.have.length(2);
  });

  it("two Butlers creating one output at once agree on its configuration, or one raises (Gen2 used a file lock)", async () => {
    const out = join(work, "raced");
    const same = await Promise.allSettled([0, 1, 2].map(() => butler({ inputs: INPUT, outputs: out })));
    expect(same.map((r) => r.status)).to.deep.equal(["fulfilled", "fulfilled", "fulfilled"]);
    await butler({ inputs: INPUT, outputs: join(work, "other") });
    const out2 = join(work, "raced2");
    const mixed = await Promise.allSettled([butler({ inputs: INPUT, outputs: out2 }), butler({ inputs: join(work, "other"), outputs: out2 })]);
    const failed = mixed.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(failed).to.have.length(1);
    expect(failed[0]!.reason).to.be.instanceOf(ConfigError);
  });

  it("follows Gen2's alias rules", async () => {
    const b = await butler({ inputs: INPUT });
    b.defineAlias("@rawData", "raw");
    b.defineAlias("cal", "calexp"); // the @ is optional when defining
    expect((await b.get<Exposure>("@rawData", { visit: 1, ccd: 0 })).metadata.get("VISIT")).to.equal(1);
    expect(() => b.defineAlias("@raw@x", "raw")).to.throw(ConfigError);
    expect(() => b.defineAlias("@rawDataX", "raw")).to.throw(ConfigError, /prefix/);
    expect(() => b.defineAlias("@ca", "raw")).to.throw(ConfigError, /prefix/);
    expect(() => b.defineAlias("@rawData", "src")).to.throw(ConfigError, /already/);
    expect(await rejection(b.get("@nothing", { visit: 1, ccd: 0 }))).to.be.instanceOf(UnknownDatasetTypeError);
  });

  it("a lazy get finds the dataset at once and reads it on first use", async () => {
    const b = await butler({ inputs: INPUT });
    const proxy = await b.get<Exposure<PixelArray>>("raw", { visit: 3, ccd: 1 }, { immediate: false });
    expect(proxy).to.be.instanceOf(ReadProxy);
    expect(proxy.isRead).to.equal(false);
    const value = await proxy.value();
    expect(value.metadata.get("FILTER")).to.equal("r");
    expect(await proxy.value()).to.equal(value); // read once
    // a missing dataset fails at get time, not at first use
    expect(await rejection(b.get("calexp", { visit: 1, ccd: 0 }, { immediate: false }))).to.have.property("code", "E_DATASET_NOT_FOUND");
  });

  it("raises a clear error for a dataset type without a template", async () => {
    const b = await butler({ inputs: INPUT });
    const err = await rejection(b.get("calexpp", { visit: 1, ccd: 0 }));
    expect(err).to.be.instanceOf(UnknownDatasetTypeError);
    expect(err.message).to.contain("calexp");
  });

  it("doBackup keeps the old content in ~1 (then ~2), safely under concurrency", async () => {
    const b = await butler({ inputs: INPUT, outputs: join(work, "out") });
    await b.put({ n: 1 }, "jsonThing", { visit: 2 }, { doBackup: true }); // nothing to back up yet
    await b.put({ n: 2 }, "jsonThing", { visit: 2 }, { doBackup: true });
    await b.put({ n: 3 }, "jsonThing", { visit: 2 }, { doBackup: true });
    const dir = join(work, "out", "json");
    expect(JSON.parse(await readFile(join(dir, "v2.json~1"), "utf8"))).to.deep.equal({ n: 1 });
    expect(JSON.parse(await readFile(join(dir, "v2.json~2"), "utf8"))).to.deep.equal({ n: 2 });
    expect(JSON.parse(await readFile(join(dir, "v2.json"), "utf8"))).to.deep.equal({ n: 3 });
    // concurrent backups never overwrite each other: every backup number is distinct
    await Promise.all([4, 5, 6, 7].map((n) => b.put({ n }, "jsonThing", { visit: 2 }, { doBackup: true })));
    const backups = (await readdir(dir)).filter((n) => n.startsWith("v2.json~")).sort();
    expect(backups).to.have.length(6);
  });

  it("a write-once dataset accepts an identical rewrite and refuses a different one", async () => {
    const b = await butler({
      inputs: INPUT,
      outputs: { root: join(work, "out"), policy: { datasets: { processCcd_config: { writeOnce: true } } } },
    });
    await b.put({ nSigma: 5 }, "processCcd_config", {});
    await b.put({ nSigma: 5 }, "processCcd_config", {}); // identical: a no-op
    const err = await rejection(b.put({ nSigma: 6 }, "processCcd_config", {}));
    expect(err).to.be.instanceOf(DatasetConflictError);
    expect(await readFile(join(work, "out", "config/processCcd.yaml"), "utf8")).to.contain("nSigma: 5");
  });

  it("reads a gzip-compressed copy when only path.gz exists", async () => {
    const copy = join(work, "copy");
    await cp(INPUT, copy, { recursive: true });
    const raw = join(copy, "raw", "v1_fg_c00.fits");
    await writeFile(raw + ".gz", gzipSync(await readFile(raw)));
    await rm(raw);
    const b = await butler({ inputs: copy });
    expect(await b.getUri("raw", { visit: 1, ccd: 0 })).to.equal(uri(raw + ".gz"));
    expect((await b.get<Exposure>("raw", { visit: 1, ccd: 0 })).metadata.get("CCD")).to.equal(0);
  });

  it("reads an fpack-compressed copy when only path.fz exists, with the same pixels", async () => {
    const copy = join(work, "copy");
    await cp(INPUT, copy, { recursive: true });
    const raw = join(copy, "raw", "v2_fg_c01.fits");
    const original = await (await butler({ inputs: INPUT })).get<Exposure<PixelArray>>("raw", { visit: 2, ccd: 1 });
    await run("fpack", ["-D", "-Y", raw]); // Rice-compresses to v2_fg_c01.fits.fz and deletes the original
    const b = await butler({ inputs: copy });
    expect(await b.getUri("raw", { visit: 2, ccd: 1 })).to.equal(uri(raw + ".fz"));
    const back = await b.get<Exposure<PixelArray>>("raw", { visit: 2, ccd: 1 });
    expect([...back.image.data]).to.deep.equal([...original.image.data]);
    expect(back.metadata.get("FILTER")).to.equal("g");
  });

  it("subset lists data refs of a level from the registry; dataRef needs exactly one", async () => {
    const b = await butler({ inputs: INPUT, outputs: { root: join(work, "out"), mode: "rw" } });
    const subset = await b.subset("raw", undefined, { filter: "g" });
    expect(subset.length).to.equal(6); // visits 1–2 × ccds 0–2
    for (const ref of subset) expect(ref.dataId.filter).to.equal("g");
    const ref = await b.dataRef("raw", undefined, { visit: 2, ccd: 1 });
    expect((await ref.get<Exposure>()).metadata.get("VISIT")).to.equal(2);
    await ref.put({ from: "ref" }, "jsonThing");
    expect(await ref.datasetExists("jsonThing")).to.equal(true);
    expect(await rejection(b.dataRef("raw", undefined, { visit: 2 }))).to.be.instanceOf(DataIdError);
  });

  it("registers every put in the output (Gen2 never did): subset sees outputs without listing directories", async () => {
    const b = await butler({ inputs: INPUT, outputs: { root: join(work, "out"), mode: "rw" } });
    await b.put({ a: 1 }, "processCcd_config", {});
    await b.put({ a: 2 }, "jsonThing", { visit: 3 });
    const out = await storageFromUri(join(work, "out"));
    try {
      const { DatasetRecords } = await import("../../src/index.js");
      const records = DatasetRecords.open(fileURLToPath(out.uriOf("datasets.sqlite3")), { readonly: true });
      try {
        const rec = records.get("jsonThing", { visit: 3 })!;
        expect(rec.key).to.equal("json/v3.json");
        expect(rec.size).to.equal((await out.read("json/v3.json")).length);
        const { createHash } = await import("node:crypto");
        expect(rec.checksum).to.equal("sha256:" + createHash("sha256").update(await out.read("json/v3.json")).digest("hex"));
      } finally {
        records.close();
      }
    } finally {
      await out.close();
    }
    // processCcd_config has no registry tables: only the record can tell that it exists
    const configs = await b.subset("processCcd_config");
    expect(configs.length).to.equal(1);
  });

  it("tags restrict which repositories are searched, and are copied down to parents", async () => {
    const w = await butler({ inputs: INPUT, outputs: join(work, "tagged") });
    await w.put({ t: 1 }, "jsonThing", { visit: 1 });
    const b = await butler({ inputs: [{ root: join(work, "tagged"), tags: ["mine"] }] });
    expect(await b.datasetExists("jsonThing", { visit: 1 }, { tags: "mine" })).to.equal(true);
    expect(await b.datasetExists("jsonThing", { visit: 1 }, { tags: "theirs" })).to.equal(false);
    expect(await b.datasetExists("raw", { visit: 1, ccd: 0 }, { tags: "mine" })).to.equal(true); // the parent inherited the tag
  });
});

/**
 * Butler conformance, part 1: how repositories are chained, created, reopened, searched and
 * written — each stated as the Gen2 behaviour it keeps (or the Gen2 flaw it fixes, where noted).
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { parse as parseYaml } from "yaml";
import {
  ConfigError,
  DataIdError,
  DatasetConflictError,
  Exposure,
  ReadProxy,
  UnknownDatasetTypeError,
  type PixelArray,
  type Storage,
} from "../../index.js";
import { openRecordStore, openRepositoryDatabase } from "../../repository/index.js";
import { rejection } from "../assertions.js";
import { filenameOf, repoArgs, type SuiteContext } from "./context.js";

async function listed(storage: Storage, prefix?: string): Promise<string[]> {
  const out: string[] = [];
  for await (const key of storage.list(prefix === undefined ? {} : { prefix })) out.push(key);
  return out.sort();
}

async function readJson(storage: Storage, key: string): Promise<unknown> {
  return JSON.parse((await storage.read(key)).toString("utf8"));
}

async function recordedParents(storage: Storage): Promise<string[]> {
  return (parseYaml((await storage.read("repositoryCfg.yaml")).toString("utf8")) as { parents: string[] }).parents;
}

/** Declares the repository-behaviour tests. */
export function behaviourTests(ctx: SuiteContext): void {
  const input = () => repoArgs(ctx.input);

  it("puts and gets a pickled dict in an rw output; datasetExists is true for write and for read", async () => {
    const { butler: b } = await ctx.rwButler();
    await b.put({ a: 1, list: [1, 2] }, "pickled", { visit: 2, filter: "g" });
    expect(await b.get("pickled", { visit: 2, filter: "g" })).to.deep.equal({ a: 1, list: [1, 2] });
    expect(await b.datasetExists("pickled", { visit: 2, filter: "g" }, { write: true })).to.equal(true);
    expect(await b.datasetExists("pickled", { visit: 2, filter: "g" })).to.equal(true);
    expect(await b.datasetExists("pickled", { visit: 3, filter: "r" })).to.equal(false);
  });

  it("with two inputs holding the same data id, returns the first-listed input's object", async () => {
    const a = await ctx.pool.root();
    const b = await ctx.pool.root();
    for (const [name, root] of [["a", a], ["b", b]] as const) {
      const w = await ctx.pool.butler({ inputs: input(), outputs: repoArgs(root) });
      await w.put({ from: name }, "pickled", { visit: 1, filter: "g" });
    }
    const ab = await ctx.pool.butler({ inputs: [repoArgs(a), repoArgs(b)] });
    expect(await ab.get("pickled", { visit: 1, filter: "g" })).to.deep.equal({ from: "a" });
    const ba = await ctx.pool.butler({ inputs: [repoArgs(b), repoArgs(a)] });
    expect(await ba.get("pickled", { visit: 1, filter: "g" })).to.deep.equal({ from: "b" });
    // each input's parent (the sample repository) comes after it, once
    expect(ab.searchPath).to.deep.equal([a.root, ctx.input.root, b.root]);
  });

  it("an rw output shadows an input after a put", async () => {
    const inner = await ctx.pool.root();
    const first = await ctx.pool.butler({ inputs: input(), outputs: repoArgs(inner) });
    await first.put({ v: "input" }, "jsonThing", { visit: 1 });
    const out = await ctx.pool.root();
    const b = await ctx.pool.butler({ inputs: repoArgs(inner), outputs: repoArgs(out, { mode: "rw" }) });
    expect(await b.get("jsonThing", { visit: 1 })).to.deep.equal({ v: "input" });
    await b.put({ v: "output" }, "jsonThing", { visit: 1 });
    expect(await b.get("jsonThing", { visit: 1 })).to.deep.equal({ v: "output" });
    expect(await b.getUri("jsonThing", { visit: 1 })).to.equal(`${out.root}/json/v1.json`);
  });

  it("one put with two outputs writes both; an rw output must be the only one", async () => {
    const o1 = await ctx.pool.root();
    const o2 = await ctx.pool.root();
    const b = await ctx.pool.butler({ inputs: input(), outputs: [repoArgs(o1), repoArgs(o2)] });
    expect(b.outputRoots).to.deep.equal([o1.root, o2.root]);
    await b.put({ x: 1 }, "jsonThing", { visit: 4 });
    for (const o of [o1, o2]) expect(await readJson(await ctx.pool.storage(o), "json/v4.json")).to.deep.equal({ x: 1 });
    const o3 = await ctx.pool.root();
    const o4 = await ctx.pool.root();
    const err = await rejection(ctx.pool.butler({ inputs: input(), outputs: [repoArgs(o3, { mode: "rw" }), repoArgs(o4)] }));
    expect(err).to.be.instanceOf(ConfigError);
  });

  it("records the input as the output's parent (relative when both are local) and reopens with it", async () => {
    const out = await ctx.pool.root();
    const first = await ctx.pool.butler({ inputs: input(), outputs: repoArgs(out, { mode: "rw" }) });
    await first.close();
    const storage = await ctx.pool.storage(out);
    const cfgText = (await storage.read("repositoryCfg.yaml")).toString("utf8");
    expect(cfgText).to.match(/mapper: testcam/);
    const stored = await recordedParents(storage);
    expect(stored).to.have.length(1);
    if (ctx.options.relativeParents) {
      expect(stored[0]).to.match(/^\.\.\//); // stored relative to the output's root …
      expect(new URL(stored[0]!, `${out.root}/`).href).to.equal(ctx.input.root); // … naming the input
    } else {
      expect(stored[0]).to.equal(ctx.input.root);
    }
    // reopened with the output alone, the recorded parent becomes the input, absolute
    const again = await ctx.pool.butler({ outputs: repoArgs(out, { mode: "rw" }) });
    expect(again.searchPath).to.deep.equal([out.root, ctx.input.root]);
    expect((await again.get<Exposure>("raw", { visit: 2, ccd: 1 })).metadata.get("VISIT")).to.equal(2);
  });

  it("raises when a reopened output is given inputs that do not match its recorded parents", async () => {
    const out = await ctx.pool.root();
    const other = await ctx.pool.root();
    await ctx.pool.butler({ inputs: input(), outputs: repoArgs(out) });
    await ctx.pool.butler({ inputs: input(), outputs: repoArgs(other) });
    const err = await rejection(ctx.pool.butler({ inputs: repoArgs(other), outputs: repoArgs(out) }));
    expect(err).to.be.instanceOf(ConfigError);
    expect(err.message).to.match(/recorded parents/);
    // equal, and extended, inputs are accepted; the extension is recorded
    await ctx.pool.butler({ inputs: input(), outputs: repoArgs(out) });
    await ctx.pool.butler({ inputs: [input(), repoArgs(other)], outputs: repoArgs(out) });
    expect(await recordedParents(await ctx.pool.storage(out))).to.have.length(2);
  });

  it("two Butlers creating one output at once agree on its configuration, or one raises (Gen2 used a file lock)", async () => {
    const out = await ctx.pool.root();
    const same = await Promise.allSettled([0, 1, 2].map(() => ctx.pool.butler({ inputs: input(), outputs: repoArgs(out) })));
    expect(same.map((r) => (r.status === "rejected" ? String(r.reason) : r.status))).to.deep.equal(["fulfilled", "fulfilled", "fulfilled"]);
    const other = await ctx.pool.root();
    await ctx.pool.butler({ inputs: input(), outputs: repoArgs(other) });
    const out2 = await ctx.pool.root();
    const mixed = await Promise.allSettled([
      ctx.pool.butler({ inputs: input(), outputs: repoArgs(out2) }),
      ctx.pool.butler({ inputs: repoArgs(other), outputs: repoArgs(out2) }),
    ]);
    const failed = mixed.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(failed).to.have.length(1);
    expect(failed[0]!.reason).to.be.instanceOf(ConfigError);
  });

  it("follows Gen2's alias rules", async () => {
    const b = await ctx.pool.butler({ inputs: input() });
    b.defineAlias("@rawData", "raw");
    b.defineAlias("cal", "calexp"); // the @ is optional when defining
    expect((await b.get<Exposure>("@rawData", { visit: 1, ccd: 0 })).metadata.get("VISIT")).to.equal(1);
    expect(await b.get("@rawData_filename", { visit: 1, ccd: 0 })).to.deep.equal([filenameOf(`${ctx.input.root}/raw/v1_fg_c00.fits`)]);
    expect(() => b.defineAlias("@raw@x", "raw")).to.throw(ConfigError);
    expect(() => b.defineAlias("@rawDataX", "raw")).to.throw(ConfigError, /prefix/);
    expect(() => b.defineAlias("@ca", "raw")).to.throw(ConfigError, /prefix/);
    expect(() => b.defineAlias("@rawData", "src")).to.throw(ConfigError, /already/);
    expect(await rejection(b.get("@nothing", { visit: 1, ccd: 0 }))).to.be.instanceOf(UnknownDatasetTypeError);
  });

  it("a lazy get finds the dataset at once and reads it on first use", async () => {
    const b = await ctx.pool.butler({ inputs: input() });
    const proxy = await b.get<Exposure<PixelArray>>("raw", { visit: 3, ccd: 1 }, { immediate: false });
    expect(proxy).to.be.instanceOf(ReadProxy);
    expect(proxy.isRead).to.equal(false);
    const value = await proxy.value();
    expect(proxy.isRead).to.equal(true);
    expect(value.metadata.get("FILTER")).to.equal("r");
    expect(await proxy.value()).to.equal(value); // read once
    // a missing dataset fails at get time, not at first use
    expect(await rejection(b.get("calexp", { visit: 1, ccd: 0 }, { immediate: false }))).to.have.property("code", "E_DATASET_NOT_FOUND");
  });

  it("doBackup keeps every version as ~1, ~2, … and loses none under concurrency", async () => {
    const out = await ctx.pool.root();
    const b = await ctx.pool.butler({ inputs: input(), outputs: repoArgs(out) });
    const storage = await ctx.pool.storage(out);
    await b.put({ n: 0 }, "jsonThing", { visit: 2 }); // a plain put: kept by the first doBackup put
    await b.put({ n: 1 }, "jsonThing", { visit: 2 }, { doBackup: true });
    await b.put({ n: 2 }, "jsonThing", { visit: 2 }, { doBackup: true });
    await b.put({ n: 3 }, "jsonThing", { visit: 2 }, { doBackup: true });
    // each version once, in order; the newest backup is the current object's twin (kept before it was published)
    expect(await listed(storage, "json/")).to.deep.equal(["json/v2.json", "json/v2.json~1", "json/v2.json~2", "json/v2.json~3", "json/v2.json~4"]);
    for (const n of [0, 1, 2, 3]) expect(await readJson(storage, `json/v2.json~${n + 1}`)).to.deep.equal({ n });
    expect(await readJson(storage, "json/v2.json")).to.deep.equal({ n: 3 });
    // concurrent backups never overwrite each other, and no acknowledged version is lost
    await Promise.all([4, 5, 6, 7].map((n) => b.put({ n }, "jsonThing", { visit: 2 }, { doBackup: true })));
    const keys = await listed(storage, "json/v2.json");
    const numbers = keys.filter((k) => k.includes("~")).map((k) => Number(k.split("~")[1]));
    expect(numbers.sort((x, y) => x - y)).to.deep.equal(numbers.map((_, i) => i + 1)); // no gaps, none twice
    const kept = await Promise.all(keys.map(async (k) => ((await readJson(storage, k)) as { n: number }).n));
    for (const n of [0, 1, 2, 3, 4, 5, 6, 7]) expect(kept).to.include(n);
    expect(((await readJson(storage, "json/v2.json")) as { n: number }).n).to.be.oneOf([4, 5, 6, 7]);
  });

  it("a write-once dataset accepts an identical rewrite and refuses a different one with DatasetConflictError", async () => {
    const out = await ctx.pool.root();
    const b = await ctx.pool.butler({
      inputs: input(),
      outputs: repoArgs(out, { policy: { datasets: { processCcd_config: { writeOnce: true } } } }),
    });
    await b.put({ nSigma: 5 }, "processCcd_config", {});
    await b.put({ nSigma: 5 }, "processCcd_config", {}); // identical: a no-op
    const err = await rejection(b.put({ nSigma: 6 }, "processCcd_config", {}));
    expect(err).to.be.instanceOf(DatasetConflictError);
    expect(err).to.have.property("code", "E_DATASET_CONFLICT");
    const storage = await ctx.pool.storage(out);
    expect((await storage.read("config/processCcd.yaml")).toString("utf8")).to.contain("nSigma: 5");
    expect(await listed(storage, "config/")).to.deep.equal(["config/processCcd.yaml"]);
    // a dataset type without the policy is rewritten freely
    await b.put({ x: 1 }, "jsonThing", { visit: 1 });
    await b.put({ x: 2 }, "jsonThing", { visit: 1 });
    expect(await readJson(storage, "json/v1.json")).to.deep.equal({ x: 2 });
  });

  it("subset lists data refs of a level from the registry; dataRef needs exactly one", async () => {
    const { butler: b, out } = await ctx.rwButler();
    const subset = await b.subset("raw", undefined, { filter: "g" });
    expect(subset.length).to.equal(6); // visits 1–2 × ccds 0–2
    for (const ref of subset) expect(ref.dataId.filter).to.equal("g");
    const ref = await b.dataRef("raw", undefined, { visit: 2, ccd: 1 });
    expect((await ref.get<Exposure>()).metadata.get("VISIT")).to.equal(2);
    await ref.put({ from: "ref" }, "jsonThing");
    expect(await ref.datasetExists("jsonThing")).to.equal(true);
    expect(await readJson(await ctx.pool.storage(out), "json/v2.json")).to.deep.equal({ from: "ref" });
    expect(await rejection(b.dataRef("raw", undefined, { visit: 2 }))).to.be.instanceOf(DataIdError);
  });

  it(
    ctx.options.records
      ? "records every put in the output (Gen2 never did): subset sees outputs without listing directories"
      : "keeps no dataset records in this backend's outputs: subset sees only what registries list",
    async () => {
      const { butler: b, out } = await ctx.rwButler();
      await b.put({ a: 1 }, "processCcd_config", {});
      await b.put({ a: 2 }, "jsonThing", { visit: 3 });
      const storage = await ctx.pool.storage(out);
      // read back through the store the repository chose (sqlite beside files, record objects, PostgreSQL)
      const database = await openRepositoryDatabase(storage);
      const records = await openRecordStore(storage, { writable: false, ...(database === undefined ? {} : { database }) });
      try {
        const rec = await records?.get("jsonThing", { visit: 3 });
        expect(rec !== undefined).to.equal(ctx.options.records);
        if (rec !== undefined) {
          const bytes = await storage.read("json/v3.json");
          expect(rec.key).to.equal("json/v3.json");
          expect(rec.size).to.equal(bytes.length);
          expect(rec.checksum).to.equal("sha256:" + createHash("sha256").update(bytes).digest("hex"));
          expect((await records!.findDataIds("processCcd_config")).map((r) => r.text)).to.deep.equal(["{}"]);
        }
      } finally {
        await records?.close();
        await database?.db.close();
      }
      // processCcd_config has no registry tables: only a record can tell that it exists
      expect(await b.datasetExists("processCcd_config")).to.equal(true);
      expect((await b.subset("processCcd_config")).length).to.equal(ctx.options.records ? 1 : 0);
    },
  );

  it("tags restrict which repositories are searched, and are copied down to parents", async () => {
    const tagged = await ctx.pool.root();
    const w = await ctx.pool.butler({ inputs: input(), outputs: repoArgs(tagged) });
    await w.put({ t: 1 }, "jsonThing", { visit: 1 });
    const b = await ctx.pool.butler({ inputs: [repoArgs(tagged, { tags: ["mine"] })] });
    expect(await b.datasetExists("jsonThing", { visit: 1 }, { tags: "mine" })).to.equal(true);
    expect(await b.datasetExists("jsonThing", { visit: 1 }, { tags: "theirs" })).to.equal(false);
    expect(await b.datasetExists("raw", { visit: 1, ccd: 0 }, { tags: "mine" })).to.equal(true); // the parent inherited the tag
    expect(await b.get("jsonThing", { visit: 1 }, { tags: ["theirs", "mine"] })).to.deep.equal({ t: 1 });
    expect(await rejection(b.get("jsonThing", { visit: 1 }, { tags: "theirs" }))).to.have.property("code", "E_DATASET_NOT_FOUND");
  });

  it("refuses bad repository arguments with ConfigError", async () => {
    const missing = await ctx.pool.root();
    expect(await rejection(ctx.pool.butler({ inputs: repoArgs(missing) }))).to.be.instanceOf(ConfigError);
    expect(await rejection(ctx.pool.butler({ inputs: repoArgs(ctx.input, { mode: "w" }) }))).to.be.instanceOf(ConfigError);
    const o = await ctx.pool.root();
    expect(await rejection(ctx.pool.butler({ outputs: repoArgs(o, { mode: "r" }) }))).to.be.instanceOf(ConfigError);
    const noMapper = await ctx.pool.root();
    expect(await rejection(ctx.pool.butler({ outputs: repoArgs(noMapper) }))).to.be.instanceOf(ConfigError);
    // a root that exists but holds no repository
    const bare = await ctx.pool.root();
    await (await ctx.pool.storage(bare, true)).write("notes.txt", "not a repository");
    const err = await rejection(ctx.pool.butler({ inputs: repoArgs(bare) }));
    expect(err).to.be.instanceOf(ConfigError);
    expect(err.message).to.contain("repositoryCfg.yaml");
    const readOnly = await ctx.pool.butler({ inputs: input() });
    expect(await rejection(readOnly.put({}, "pickled", { visit: 1, filter: "g" }))).to.be.instanceOf(ConfigError);
  });

  it("is unusable after close, and close is idempotent", async () => {
    const { butler: b } = await ctx.rwButler();
    await b.close();
    await b.close();
    expect(await rejection(b.get("raw", { visit: 1, ccd: 0 }))).to.have.property("code", "E_CLOSED");
    expect(await rejection(b.put({ a: 1 }, "jsonThing", { visit: 1 }))).to.have.property("code", "E_CLOSED");
  });

  it("writes nothing to the input repository", async () => {
    const inputStorage = await ctx.pool.storage(ctx.input);
    const snapshot = async () => {
      const out: Array<[string, number, number, string | undefined]> = [];
      for (const key of await listed(inputStorage)) {
        const info = await inputStorage.stat(key);
        out.push([key, info.size, info.modified.getTime(), info.etag]);
      }
      return out;
    };
    const before = await snapshot();
    expect(before.map((e) => e[0])).to.include("registry.sqlite3");
    const { butler: b } = await ctx.rwButler();
    await b.put({ a: 1 }, "pickled", { visit: 1, filter: "g" });
    await b.put(await b.get("raw", { visit: 1, ccd: 0 }), "calexp", { visit: 1, ccd: 0 });
    await b.close();
    expect(await snapshot()).to.deep.equal(before);
  });
}


/**
 * Butler conformance, part 3: Gen2's compressed copies. When only `<file>.gz` (gzip) or
 * `<file>.fz` (CFITSIO's fpack, tile-compressed) exists, every read of the dataset — the full get
 * and each variant — must give what the uncompressed file gives. The copies are made by hand on
 * the backend (node:zlib's gzip, the `fpack` tool), in an output (calexp, src) and in an input
 * repository (raw), and each variant is compared with the same variant of an uncompressed copy.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { Butler, Catalog, Exposure, Header, type DataIdInput, type PixelArray, type Storage } from "../../index.js";
import { filenameOf, repoArgs, ResourcePool, type RepoRoot, type SuiteContext } from "./context.js";
import { sampleCalexp } from "./datasets.js";

const run = promisify(execFile);

/** Replaces the object at `key` by its gzip copy at `key.gz`. */
async function gzipObject(storage: Storage, key: string): Promise<void> {
  await storage.write(`${key}.gz`, gzipSync(await storage.read(key)));
  await storage.delete(key);
}

/** Replaces the object at `key` by CFITSIO's tile-compressed copy at `key.fz` (`fpack <args>`). */
async function fpackObject(storage: Storage, key: string, args: string[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "skybutler-fpack-"));
  try {
    const plain = join(dir, "plain.fits");
    await writeFile(plain, await storage.read(key));
    await run("fpack", [...args, "-O", join(dir, "packed.fits.fz"), plain]);
    await storage.putLocalFile(join(dir, "packed.fits.fz"), `${key}.fz`);
    await storage.delete(key);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Checks that the object really is what the case says, so a test cannot pass on a plain file. */
async function expectCompressed(storage: Storage, key: string, suffix: ".gz" | ".fz"): Promise<void> {
  expect(await storage.exists(key), `${key} must be gone`).to.equal(false);
  const bytes = await storage.read(key + suffix);
  if (suffix === ".gz") expect([bytes[0], bytes[1]], "gzip magic").to.deep.equal([0x1f, 0x8b]);
  else expect(bytes.includes("ZIMAGE  =                    T"), "a tile-compressed image HDU").to.equal(true);
}

/** The bytes of a typed array, to compare pixels exactly (NaN and -0 included). */
const bytesOf = (a: PixelArray | BigInt64Array | Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** What each variant returns, in a form `deep.equal` compares fully. */
function comparable(value: unknown): unknown {
  if (value instanceof Exposure) {
    const e = value as Exposure<PixelArray>;
    return {
      box: [e.image.x0, e.image.y0, e.width, e.height],
      image: bytesOf(e.image.data).toString("hex"),
      mask: bytesOf(e.mask.data).toString("hex"),
      variance: bytesOf(e.variance.data).toString("hex"),
      metadata: e.metadata.toObject(),
    };
  }
  if (value instanceof Catalog) {
    return value.names.map((n) => {
      const column = value.column(n);
      return [n, ArrayBuffer.isView(column) ? bytesOf(column as Float64Array).toString("hex") : column, value.info.get(n)];
    });
  }
  if (value instanceof Header) return value.toObject();
  return value;
}

/** One compressed dataset and the uncompressed copy it is compared with. */
interface CompressedCase {
  title: string;
  datasetType: string;
  suffix: ".gz" | ".fz";
  /** The variants to read (suffixes after `_`; "" is the full get). */
  variants: string[];
  /** Extra data-id keys of `_sub`. */
  subId: DataIdInput;
  /**
   * Makes the datasets: returns a Butler that finds the dataset only compressed, its key and root
   * there, the data id, and a Butler plus data id reading an uncompressed copy.
   */
  setup(ctx: SuiteContext, pool: ResourcePool): Promise<Prepared>;
}

interface Prepared {
  butler: Butler;
  root: RepoRoot;
  key: string;
  id: DataIdInput;
  reference: { butler: Butler; id: DataIdInput };
}

const EXPOSURE_VARIANTS = ["", "md", "sub", "bbox", "wcs", "visitInfo", "filter", "filename"];

/** A calexp put into a fresh rw output, compressed there; the same calexp plain at another data id. */
function calexpInOutput(suffix: ".gz" | ".fz"): CompressedCase {
  return {
    title: `calexp stored only as .fits${suffix} in the output`,
    datasetType: "calexp",
    suffix,
    variants: EXPOSURE_VARIANTS,
    subId: { bbox: { x0: 110, y0: 205, width: 7, height: 4 } },
    async setup(ctx, pool) {
      const root = await pool.root();
      const butler = await pool.butler({ inputs: repoArgs(ctx.input), outputs: repoArgs(root, { mode: "rw" }) });
      const id = { visit: 1, ccd: 0 };
      const reference = { visit: 2, ccd: 0 }; // same filter, so `_filter` compares like with like
      await butler.put(sampleCalexp(), "calexp", id);
      await butler.put(sampleCalexp(), "calexp", reference);
      const storage = await pool.storage(root);
      const key = "calexp/v1_fg_c00.fits";
      // lossless for floats: GZIP_2 tiles, no quantisation
      await (suffix === ".gz" ? gzipObject(storage, key) : fpackObject(storage, key, ["-g2", "-q", "0"]));
      await expectCompressed(storage, key, suffix);
      return { butler, root, key, id, reference: { butler, id: reference } };
    },
  };
}

/**
 * A raw in an input repository (whose parent is the sample input) stored there only compressed;
 * the plain raw of the sample input is the reference. The compressed repository is opened as an
 * input, so its parent is reopened from its recorded configuration.
 */
function rawInInput(suffix: ".gz" | ".fz"): CompressedCase {
  return {
    title: `raw stored only as .fits${suffix} in an input`,
    datasetType: "raw",
    suffix,
    variants: EXPOSURE_VARIANTS,
    subId: { bbox: { x0: 10, y0: 5, width: 7, height: 4 } },
    async setup(ctx, pool) {
      const root = await pool.root();
      const maker = await pool.butler({ inputs: repoArgs(ctx.input), outputs: repoArgs(root) });
      await maker.close();
      const key = "raw/v1_fg_c00.fits";
      const storage = await pool.storage(root);
      await storage.write(key, await (await pool.storage(ctx.input)).read(key));
      // fpack's default: RICE_1, lossless for integer pixels
      await (suffix === ".gz" ? gzipObject(storage, key) : fpackObject(storage, key, []));
      await expectCompressed(storage, key, suffix);
      const id = { visit: 1, ccd: 0 };
      const butler = await pool.butler({ inputs: repoArgs(root) });
      const reference = await pool.butler({ inputs: repoArgs(ctx.input) });
      return { butler, root, key, id, reference: { butler: reference, id } };
    },
  };
}

/** A catalog put into a fresh rw output and gzipped there; the same catalog plain at another data id. */
function srcInOutput(): CompressedCase {
  return {
    title: "src catalog stored only as .fits.gz in the output",
    datasetType: "src",
    suffix: ".gz",
    variants: ["", "md", "len", "schema", "filename"],
    subId: {},
    async setup(ctx, pool) {
      const root = await pool.root();
      const butler = await pool.butler({ inputs: repoArgs(ctx.input), outputs: repoArgs(root, { mode: "rw" }) });
      const catalog = (): Catalog => {
        const cat = new Catalog({ id: BigInt64Array.from([1n, 2n, 3n]), flux: Float64Array.from([1.5, 2.5, -0]) });
        cat.info.set("flux", { unit: "adu" });
        return cat;
      };
      const id = { visit: 1, ccd: 0 };
      const reference = { visit: 2, ccd: 0 };
      await butler.put(catalog(), "src", id);
      await butler.put(catalog(), "src", reference);
      const storage = await pool.storage(root);
      const key = "src/v1_fg_c00.fits";
      await gzipObject(storage, key);
      await expectCompressed(storage, key, ".gz");
      return { butler, root, key, id, reference: { butler, id: reference } };
    },
  };
}

/** Declares the compressed-copy tests: one `it` per case and variant. */
export function compressedTests(ctx: SuiteContext): void {
  const cases = [calexpInOutput(".gz"), calexpInOutput(".fz"), rawInInput(".gz"), rawInInput(".fz"), srcInOutput()];
  for (const c of cases) {
    describe(c.title, () => {
      let pool: ResourcePool;
      let prepared: Prepared;
      before(async () => {
        pool = new ResourcePool(ctx.options);
        prepared = await c.setup(ctx, pool);
      });
      after(async () => {
        await pool.release();
      });

      it(`getUri names the ${c.suffix} copy`, async () => {
        const { butler, root, key, id } = prepared;
        expect(await butler.getUri(c.datasetType, id)).to.equal(`${root.root}/${key}${c.suffix}`);
        expect(await butler.datasetExists(c.datasetType, id)).to.equal(true);
      });

      for (const variant of c.variants) {
        const type = variant === "" ? c.datasetType : `${c.datasetType}_${variant}`;
        const title = variant === "filename" ? `${type} is the ${c.suffix} copy's path (its URI on a remote storage)` : `${type} reads the ${c.suffix} copy as the uncompressed file reads`;
        it(title, async () => {
          const { butler, root, key, id, reference } = prepared;
          const extra = variant === "sub" ? c.subId : {};
          const got = await butler.get(type, { ...id, ...extra });
          if (variant === "filename") {
            expect(got).to.deep.equal([filenameOf(`${root.root}/${key}${c.suffix}`)]);
            return;
          }
          const want = await reference.butler.get(type, { ...reference.id, ...extra });
          expect(comparable(got)).to.deep.equal(comparable(want));
          if (variant !== "wcs") expect(want, `${type} of the uncompressed copy`).to.not.equal(null);
        });
      }
    });
  }
}

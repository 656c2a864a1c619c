import { expect } from "chai";
import { mkdir, mkdtemp, rm, writeFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Butler, Catalog, Exposure, MaskedImage, Header, ButlerError } from "../../src/testing/index.js";
import { faults, registerFaultyStorage, seedFaults } from "../support/faulty-storage.js";
import { filesBelow } from "../support/hooks.js";
import { faultSeed, replayable } from "../support/seeded-random.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));
const tempBase = () => process.env.SKYBUTLER_TMPDIR!;

/** Hidden atomic-write temp files beside destinations (`.name.xxxx.tmp`). */
async function strayTemps(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.startsWith(".")) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

function smallExposure(seed: number): Exposure {
  const mi = MaskedImage.create(16, 8);
  mi.image.data.forEach((_, i) => (mi.image.data[i] = seed + i));
  return new Exposure(mi, Header.fromObject({ SEED: seed }));
}

describe("temp files under thousands of gets and puts with random failures", function () {
  this.timeout(120000);
  let work: string;

  before(() => registerFaultyStorage());
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-stress-"));
    faults.rate = 0;
  });
  afterEach(async () => {
    faults.rate = 0;
    await rm(work, { recursive: true, force: true });
  });

  for (const kind of ["posix", "faulty (remote-like)"] as const) {
    // the remote-like output fails operations at random: a failure names its seed for a replay
    it(`leaves no temp file after any operation — ${kind} output`, async () => {
      const seed = faultSeed();
      seedFaults(seed);
      await replayable(seed, async () => {
        const root = join(work, "out");
        const output = kind === "posix" ? root : pathToFileURL(root).href.replace(/^file:/, "faulty:");
        const butler = await Butler.create({ inputs: INPUT, outputs: { root: output, mode: "rw" } });
        let failures = 0;
        let successes = 0;
        try {
          faults.rate = kind === "posix" ? 0 : 0.15;
          const N = 1500;
          for (let i = 0; i < N; i++) {
            const visit = 1 + (i % 4);
            const ccd = i % 3;
            const op = i % 6;
            try {
              if (op === 0) await butler.put(smallExposure(i), "calexp", { visit, ccd });
              else if (op === 1) await butler.get("calexp", { visit, ccd });
              else if (op === 2) {
                // a catalog whose columns cannot be written: the FITS writer fails part-way
                const bad = new Catalog({ n: Float64Array.from([1, 2]) });
                (bad as unknown as { toObject(): unknown }).toObject = () => ({ n: Float64Array.from([1, 2]), m: [{}] });
                await butler.put(i % 12 === 2 ? bad : new Catalog({ n: Float64Array.from([i]) }), "src", { visit, ccd });
              } else if (op === 3) await butler.get("src", { visit, ccd });
              else if (op === 4) {
                // corrupt the stored file now and then: the read must fail cleanly
                if (i % 24 === 4) {
                  await mkdir(join(root, "calexp"), { recursive: true });
                  await writeFile(join(root, `calexp/v${visit}_f${visit < 3 ? "g" : "r"}_c0${ccd}.fits`), "SIMPLE  = garbage");
                }
                await butler.get("calexp", { visit, ccd });
              } else await butler.get("raw", { visit, ccd });
              successes++;
            } catch (err) {
              expect(err, String(err)).to.be.instanceOf(ButlerError);
              failures++;
            }
            const left = filesBelow(tempBase());
            if (left.length > 0) throw new Error(`after op ${i} (${op}): temp files left: ${left.join(", ")}`);
          }
        } finally {
          await butler.close();
        }
        expect(failures, "some operations must fail").to.be.greaterThan(50);
        // a remote-like output's put is an upload and a record object since outputs record everywhere: one more call to fail
        expect(successes, "many operations must succeed").to.be.greaterThan(400);
        if (kind !== "posix") expect(faults.injected).to.be.greaterThan(50);
        expect(filesBelow(tempBase())).to.deep.equal([]);
        expect(await strayTemps(root)).to.deep.equal([]);
      });
    });
  }
});

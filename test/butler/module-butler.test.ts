/**
 * A Butler repository carried end to end by storage modules configured in storage-modules.yaml,
 * with no change in src/: the vendor DirectoryModule of test/fixtures (loaded by a path relative
 * to the YAML file), and encrypt over checksum over PosixStorage. Put, get, reopen as an input.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Butler, Exposure, MaskedImage, type PixelArray } from "../../src/testing/index.js";
import { filesBelow } from "../support/hooks.js";
import { modulesSandbox, VENDOR_MODULE, type ModulesSandbox } from "../support/module-stacks.js";

const INPUT = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

function calexpFrom(raw: Exposure<PixelArray>): Exposure<Float32Array> {
  const mi = MaskedImage.create(raw.width, raw.height);
  raw.image.data.forEach((v, i) => (mi.image.data[i] = Number(v) - 1000));
  mi.variance.data.fill(2.5);
  return new Exposure(mi, raw.metadata.clone().set("HISTORY", "calibrated through a storage module"));
}

const CONFIGS: Array<{ name: string; scheme: string; config: (dir: string) => Record<string, unknown> }> = [
  {
    name: "the vendor DirectoryModule",
    scheme: "vendor",
    config: (dir) => ({ vendor: { module: `./${relative(dir, VENDOR_MODULE)}#DirectoryModule`, args: { dir: join(dir, "vendor-data") } } }),
  },
  {
    name: "encrypt over checksum over PosixStorage",
    scheme: "secure",
    config: (dir) => ({
      secure: { module: "skybutler:encrypt", args: { keyFile: "key.hex", over: "checked://" } },
      checked: { module: "skybutler:checksum", args: { over: pathToFileURL(join(dir, "disk")).href } },
    }),
  },
];

for (const { name, scheme, config } of CONFIGS) {
  describe(`Butler on ${name}`, function () {
    this.timeout(60_000);
    let box: ModulesSandbox;
    beforeEach(async () => {
      box = await modulesSandbox(config);
      await writeFile(join(box.sandbox, "key.hex"), randomBytes(32).toString("hex"));
    });
    afterEach(() => box.cleanup());

    it("puts a calexp, gets it back, and reads it again through a new Butler with the module as input", async () => {
      const out = `${scheme}://rerun/me`;
      const butler = await Butler.create({ inputs: INPUT, outputs: { root: out, mode: "rw" } });
      const raw = await butler.get<Exposure<PixelArray>>("raw", { visit: 1, ccd: 0 });
      const calexp = calexpFrom(raw);
      try {
        await butler.put(calexp, "calexp", { visit: 1, ccd: 0 });
        expect(await butler.getUri("calexp", { visit: 1, ccd: 0 })).to.equal(`${out}/calexp/v1_fg_c00.fits`);
        const back = await butler.get<Exposure<Float32Array>>("calexp", { visit: 1, ccd: 0 });
        expect(Buffer.from(back.image.data.buffer).equals(Buffer.from(calexp.image.data.buffer))).to.equal(true);
        expect(await butler.datasetExists("calexp", { visit: 1, ccd: 0 })).to.equal(true);
      } finally {
        await butler.close();
      }
      const reader = await Butler.create({ inputs: out });
      try {
        const again = await reader.get<Exposure<Float32Array>>("calexp", { visit: 1, ccd: 0 });
        expect(Buffer.from(again.image.data.buffer).equals(Buffer.from(calexp.image.data.buffer))).to.equal(true);
        expect(again.metadata.cards.some((c) => c.keyword === "HISTORY" && c.value === "calibrated through a storage module")).to.equal(true);
      } finally {
        await reader.close();
      }
      // the bytes are where the module keeps them, and nothing of skybutler is left in the temp directory
      const stored = scheme === "vendor" ? await readdir(join(box.sandbox, "vendor-data")) : await readdir(join(box.sandbox, "disk", "rerun", "me", "calexp"));
      expect(stored.length).to.be.above(0);
      if (scheme === "secure") {
        const bytes = await readFile(join(box.sandbox, "disk", "rerun", "me", "calexp", "v1_fg_c00.fits"));
        expect(bytes.includes(Buffer.from("SIMPLE  ="))).to.equal(false);
      }
      expect(filesBelow(process.env.SKYBUTLER_TMPDIR!)).to.deep.equal([]);
    });
  });
}

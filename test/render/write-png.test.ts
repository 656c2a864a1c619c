/**
 * writePng: into a file atomically (a failed render leaves the old file and no temp file), into a
 * stream (the same bytes as renderPng); and a large FITS image is read in strips, in bounded memory.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Header, Image, UsageError, renderPng, writePng } from "../../src/testing/index.js";
import { openFits, writeFits, type ImageRegion } from "../../src/fits/index.js";

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL("./render-child.ts", import.meta.url));

describe("writePng", function () {
  this.timeout(120000);
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-write-png-"));
  });
  after(() => rm(work, { recursive: true, force: true }));

  const image = new Image(64, 32, Float32Array.from({ length: 64 * 32 }, (_, i) => Math.sin(i / 50) * 100));

  it("replaces a file atomically, and a failed render leaves the old file and no temp file", async () => {
    const path = join(work, "preview.png");
    await writeFile(path, "the previous preview");
    const error = await writePng(image, path, { width: -1 }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(UsageError);
    expect(await readFile(path, "utf8")).to.equal("the previous preview");
    const info = await writePng(image, path, { width: 32 });
    expect([info.width, info.height]).to.deep.equal([32, 16]);
    const expected = await renderPng(image, { width: 32 });
    expect((await readFile(path)).equals(Buffer.from(expected.png))).to.equal(true);
    expect(await readdir(work)).to.deep.equal(["preview.png"]);
  });

  it("writes into a stream and ends it", async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    const info = await writePng(image, stream, { mapping: "asinh" });
    expect(stream.writableEnded).to.equal(true);
    expect(Buffer.concat(chunks).equals(Buffer.from((await renderPng(image, { mapping: "asinh" })).png))).to.equal(true);
    expect(info.limits.max).to.be.greaterThan(info.limits.min);
  });

  it("streams an 8192² float32 FITS image (256 MiB of pixels) in strips, in less memory than half a copy", async () => {
    const [width, height] = [8192, 8192];
    const path = join(work, "large.fits");
    const data = new Float32Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = (i % 1013) * 0.5 + Math.floor(i / width) * 0.01;
    data.fill(NaN, 1000 * width, 1010 * width); // NaNs: zscale reads the rows holding its sample again
    await writeFits(path, [{ kind: "image", header: new Header(), data, shape: [height, width] }]);

    // Every read the renderer makes is a strip of at most 2^19 pixels; rows are read about once.
    const file = await openFits(path);
    try {
      const hdu = file.hdus[0]!;
      const reads: number[] = [];
      const spy = new Proxy(hdu, {
        get(target, property) {
          if (property === "readImage") {
            return (region?: ImageRegion) => {
              const [start, end] = region?.rows ?? [0, height];
              reads.push(end - start);
              return target.readImage(region);
            };
          }
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const info = await renderPng(spy, { width: 1024, stretch: "zscale" });
      expect([info.width, info.height]).to.deep.equal([1024, 1024]);
      expect(Math.max(...reads) * width).to.be.at.most(2 ** 19);
      const rowsRead = reads.reduce((a, b) => a + b, 0);
      // the sample lies every eighth row here: a thousand single rows, not a second pass
      expect(rowsRead, "one pass plus the rows of the zscale sample").to.be.within(height + 500, height * 1.2);
    } finally {
      await file.close();
    }

    for (const stretch of ["zscale", "percentile"]) {
      const { stdout } = await run(process.execPath, ["--import", "tsx", CHILD, path, join(work, `large-${stretch}.png`), stretch]);
      const report = JSON.parse(stdout) as { width: number; height: number; growth: number };
      expect([report.width, report.height]).to.deep.equal([1024, 1024]);
      // A copy of the image would be 256 MiB. Measured about 50–60 MiB, mostly strips read and
      // dropped, which V8 collects after some 64 MiB of them.
      expect(report.growth, `${stretch}: peak RSS growth ${(report.growth / 2 ** 20).toFixed(0)} MiB`).to.be.lessThan(128 * 2 ** 20);
    }
    await rm(path);
  });
});

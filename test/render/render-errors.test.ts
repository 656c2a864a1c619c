/**
 * Bad input to a render fails with a clear typed error before anything is written: UsageError for
 * options, FitsError for FITS data that is not a 2-D image, ClosedError for a closed file.
 */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClosedError, FitsError, Header, Image, UsageError, imageLimits, renderPng, type RenderOptions } from "../../src/testing/index.js";
import { openFits, writeFits } from "../../src/fits/index.js";

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(outcome, "should have failed").to.be.instanceOf(Error);
  return outcome as Error;
}

describe("render errors", () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-render-errors-"));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("rejects bad options with a UsageError that says what is allowed", async () => {
    const image = new Image(10, 10, Float32Array);
    const cases: Array<[RenderOptions, RegExp]> = [
      [{ width: 0 }, /width.*\[1, 32768\]/],
      [{ width: 2.5 }, /width/],
      [{ height: 40000 }, /height/],
      [{ stretch: "histeq" as never }, /zscale, minmax, percentile/],
      [{ mapping: "gamma" as never }, /linear, asinh, log, sqrt/],
      [{ stretch: "percentile", percentile: 0 }, /percentile.*\(0, 100\]/],
      [{ stretch: "percentile", percentile: 100.5 }, /percentile/],
      [{ limits: { min: NaN, max: 1 } }, /limits must be finite/],
      [{ region: { rows: [5, 5] } }, /region rows \[5, 5\)/],
      [{ region: { cols: [0, 11] } }, /region cols/],
      [{ origin: "left" as never }, /origin/],
      [{ width: 10000, height: 10000 }, /more than 67108864 pixels/],
      [{ mask: "SAT" as never }, /mask must be true, false or a list of plane names/],
    ];
    for (const [options, message] of cases) {
      const error = await failure(renderPng(image, options));
      expect(error, JSON.stringify(options)).to.be.instanceOf(UsageError);
      expect(error.message).to.match(message);
    }
    expect(await failure(renderPng({} as never))).to.be.instanceOf(UsageError);
    expect((await failure(renderPng(new Image(0, 5, Float32Array)))).message).to.match(/0×5: there is nothing to render/);
    expect(await failure(imageLimits(image, { stretch: "nope" as never }))).to.be.instanceOf(UsageError);
  });

  it("rejects FITS HDUs without a 2-D image with a FitsError naming the HDU", async () => {
    const path = join(work, "mixed.fits");
    await writeFits(path, [
      { kind: "image", header: new Header() },
      { kind: "image", header: Header.fromObject({ EXTNAME: "CUBE" }), data: new Float32Array(2 * 3 * 4), shape: [2, 3, 4] },
      { kind: "bintable", columns: { id: new Int32Array([1, 2]) } },
    ]);
    const file = await openFits(path);
    try {
      for (const [hdu, message] of [
        [file.hdus[0]!, /HDU 0 holds no image/],
        [file.hdus[1]!, /HDU 1 is a 2×3×4 cube/],
        [file.hdus[2]!, /HDU 2 holds no image/],
      ] as const) {
        const error = await failure(renderPng(hdu));
        expect(error).to.be.instanceOf(FitsError);
        expect(error.message).to.match(message);
      }
      // a file whose only image is a cube
      expect(await failure(renderPng(file))).to.be.instanceOf(FitsError);
    } finally {
      await file.close();
    }
  });

  it("a closed file is a ClosedError", async () => {
    const path = join(work, "small.fits");
    await writeFits(path, [{ kind: "image", header: new Header(), data: new Float32Array(12), shape: [3, 4] }]);
    const file = await openFits(path);
    await file.close();
    expect(await failure(renderPng(file))).to.be.instanceOf(ClosedError);
  });
});

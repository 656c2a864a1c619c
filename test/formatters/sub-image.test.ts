/**
 * The sub-image request a `_sub` location carries, and its translation to HDU rows and columns.
 */
import { expect } from "chai";
import { DataIdError, FormatterError } from "../../src/errors.js";
import { localRegion, subImageRequestOf } from "../../src/formatters/sub-image.js";

describe("sub-image requests", () => {
  it("reads llcX/llcY/width/height/imageOrigin from additionalData, PARENT by default (as Gen2)", () => {
    expect(subImageRequestOf({ visit: 1 })).to.equal(undefined);
    expect(subImageRequestOf({ llcX: 1, llcY: 2, width: 3, height: 4 })).to.deep.equal({ llcX: 1, llcY: 2, width: 3, height: 4, origin: "PARENT" });
    expect(subImageRequestOf({ llcX: 1, llcY: 2, width: 3, height: 4, imageOrigin: "LOCAL" })).to.include({ origin: "LOCAL" });
    expect(() => subImageRequestOf({ llcX: 1, llcY: "2", width: 3, height: 4 })).to.throw(FormatterError, /llcY/);
    expect(() => subImageRequestOf({ llcX: 1, llcY: 2, width: 3, height: 4, imageOrigin: "SKY" })).to.throw(FormatterError, /imageOrigin/);
  });

  it("subtracts the image's origin for PARENT boxes and adds it back to the result's", () => {
    const image = { x0: 100, y0: 50, width: 64, height: 48 };
    expect(localRegion({ llcX: 110, llcY: 60, width: 4, height: 2, origin: "PARENT" }, image)).to.deep.equal({ rows: [10, 12], cols: [10, 14], x0: 110, y0: 60 });
    expect(localRegion({ llcX: 10, llcY: 10, width: 4, height: 2, origin: "LOCAL" }, image)).to.deep.equal({ rows: [10, 12], cols: [10, 14], x0: 110, y0: 60 });
    expect(localRegion({ llcX: 100, llcY: 50, width: 64, height: 48, origin: "PARENT" }, image)).to.deep.equal({ rows: [0, 48], cols: [0, 64], x0: 100, y0: 50 });
  });

  it("refuses boxes that leave the image, naming bbox", () => {
    const image = { x0: 100, y0: 50, width: 64, height: 48 };
    for (const box of [{ llcX: 99, llcY: 50 }, { llcX: 101, llcY: 50, width: 64 }, { llcX: 100, llcY: 51, height: 48 }]) {
      const request = { width: 1, height: 1, origin: "PARENT" as const, ...box };
      expect(() => localRegion(request, image), JSON.stringify(box)).to.throw(DataIdError).with.property("key", "bbox");
    }
  });
});

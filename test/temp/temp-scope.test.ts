import { expect } from "chai";
import { existsSync } from "node:fs";
import { TempScope } from "../../src/temp/index.js";

describe("TempScope (refcounted temp files)", () => {
  it("deletes a file when its last lease is released, not before", async () => {
    const scope = new TempScope();
    const first = await scope.createFile({ suffix: ".fits" });
    const second = first.retain();
    expect(first.path).to.match(/\.fits$/);
    await first.release();
    expect(existsSync(second.path)).to.equal(true);
    await first.release(); // a second release of the same lease must not count twice
    expect(existsSync(second.path)).to.equal(true);
    await second.release();
    expect(existsSync(second.path)).to.equal(false);
    expect(scope.liveCount).to.equal(0);
    await scope.close();
  });

  it("deletes held files on close and refuses new ones after", async () => {
    const scope = new TempScope();
    const held = await scope.createFile();
    await scope.close();
    expect(existsSync(held.path)).to.equal(false);
    await held.release(); // inert after close
    let error: unknown;
    await scope.createFile().catch((e) => (error = e));
    expect(error).to.have.property("code", "E_CLOSED");
  });
});

/**
 * The framed feeder on its own, with a real file as the source and a stream as the pipe, so the
 * order of events around a seek can be set exactly: a seek that arrives while a frame waits for
 * the pipe to drain must still be answered (it once waited for ever on the destroyed source).
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { setImmediate as tick } from "node:timers/promises";
import { FramedFeeder } from "../../src/storlets/input-feeders.js";
import { fileInput } from "../../src/storlets/storlet-input.js";

interface Frame {
  type: string;
  value?: number | Buffer;
}

/** Reads frames off the pipe until the `E` that follows seek `generation`. */
function framesUntilEnd(pipe: PassThrough, generation: number): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const frames: Frame[] = [];
    let buffer = Buffer.alloc(0);
    let seen = false;
    pipe.on("error", reject);
    pipe.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (buffer.length < 1) return;
        const type = String.fromCharCode(buffer[0]!);
        if (type === "E") {
          frames.push({ type });
          buffer = buffer.subarray(1);
          if (seen) resolve(frames);
          continue;
        }
        if (buffer.length < 5) return;
        const n = buffer.readUInt32BE(1);
        if (type === "S") {
          frames.push({ type, value: n });
          seen ||= n === generation;
          buffer = buffer.subarray(5);
          continue;
        }
        if (buffer.length < 5 + n) return;
        frames.push({ type, value: Buffer.from(buffer.subarray(5, 5 + n)) });
        buffer = buffer.subarray(5 + n);
      }
    });
  });
}

describe("FramedFeeder", function () {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "skybutler-feeder-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("answers a seek that arrives while a frame waits for the pipe (the old source closed meanwhile)", async () => {
    const bytes = randomBytes(1 << 20);
    const path = join(dir, "input.bin");
    writeFileSync(path, bytes);
    // a pipe that holds almost nothing: the first frame's bytes wait for a drain
    const pipe = new PassThrough({ highWaterMark: 1024 });
    const failures: Error[] = [];
    const feeder = new FramedFeeder(await fileInput(path), pipe, (err) => failures.push(err));
    feeder.start();
    for (let i = 0; i < 1000 && !pipe.writableNeedDrain; i += 1) await tick();
    expect(pipe.writableNeedDrain, "the first frame fills the pipe").to.equal(true);
    feeder.seek(1, 1000);
    // the destroyed source's "close" is emitted before anyone reads the pipe
    await tick();
    await tick();
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("the feeder never answered the seek")), 5000);
    });
    try {
      const frames = await Promise.race([framesUntilEnd(pipe, 1), stalled]);
      const afterSeek = frames.slice(frames.findIndex((f) => f.type === "S" && f.value === 1) + 1);
      expect(afterSeek.at(-1)?.type).to.equal("E");
      const data = Buffer.concat(afterSeek.filter((f) => f.type === "D").map((f) => f.value as Buffer));
      expect(data.equals(bytes.subarray(1000))).to.equal(true);
      expect(failures).to.deep.equal([]);
    } finally {
      clearTimeout(timer);
      feeder.stop();
    }
  });
});

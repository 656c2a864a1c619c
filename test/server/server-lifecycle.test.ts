/**
 * A real `skybutler serve` that dies or is stopped mid-transfer: SIGKILL during a download gives
 * the client a typed error (no hang) and `pull` leaves no partial file; SIGKILL during an upload
 * gives a typed error and stores nothing; SIGTERM lets the upload in flight finish, then exits 0.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageError } from "../../src/errors.js";
import { HttpStorage } from "../../src/storage/http/http-storage.js";
import { rejection } from "../../src/testing/assertions.js";
import { runCli, startServe, tokenFile, TOKENS, type ServeProcess } from "../support/cli.js";

const MiB = 1024 * 1024;

describe("skybutler serve: killed or stopped mid-transfer", function () {
  this.timeout(60_000);
  let work: string;
  let repoDir: string;
  let tokens: ReturnType<typeof tokenFile>;
  let server: ServeProcess | undefined;
  const start = async (): Promise<ServeProcess> =>
    (server = await startServe(["--port", "0", "--repo", `r=${repoDir}`, "--token-file", tokens.path, "--quiet"]));
  const open = (s: ServeProcess) => HttpStorage.open(`skybutler+http://127.0.0.1:${s.port}/r`, { token: TOKENS.write, retry: { tries: 2, baseDelayMs: 50 } });

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-lifecycle-"));
    repoDir = join(work, "repo");
    tokens = tokenFile([[TOKENS.write, "write"]]);
  });
  afterEach(async () => {
    await server?.stop("SIGKILL");
    tokens.remove();
    await rm(work, { recursive: true, force: true });
  });

  /** A source that yields `mib` MiB, calling `midway` after the first half and pausing there a moment. */
  async function* slowSource(mib: number, midway: () => void): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < mib; i++) {
      if (i === mib / 2) {
        midway();
        await new Promise((r) => setTimeout(r, 300));
      }
      yield Buffer.alloc(MiB, i & 0xff);
    }
  }

  it("SIGKILL during a download: the reader gets E_CONNECTION, pull writes no partial file", async () => {
    const s = await start();
    const storage = await open(s);
    try {
      await storage.writeStream("big.bin", slowSource(64, () => undefined));
      const stream = await storage.readStream("big.bin");
      let got = 0;
      let error: unknown;
      try {
        for await (const chunk of stream) {
          got += (chunk as Buffer).length;
          if (got >= 4 * MiB && s.child.exitCode === null) s.child.kill("SIGKILL");
        }
      } catch (err) {
        error = err;
      }
      expect(error, `read ${got} bytes without an error`).to.be.instanceOf(StorageError);
      expect((error as StorageError).code).to.be.oneOf(["E_CONNECTION", "E_TIMEOUT"]);
      expect(got).to.be.below(64 * MiB);
    } finally {
      await storage.close();
    }

    // the CLI pulling from a server that dies: exit 1 with a typed line, no partial file
    const again = await start();
    const out = join(work, "out");
    const pulling = runCli(["pull", `skybutler+http://127.0.0.1:${again.port}/r`, out], { env: { SKYBUTLER_TOKEN: TOKENS.write } });
    const t0 = Date.now();
    while (!existsSync(out) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    again.child.kill("SIGKILL");
    const result = await pulling;
    if (result.code === 0) {
      // the transfer won the race: then the file must be whole
      expect((await stat(join(out, "big.bin"))).size).to.equal(64 * MiB);
    } else {
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/^E_(CONNECTION|TIMEOUT): /m);
      expect(await readdir(out)).to.deep.equal([]);
    }
  });

  it("SIGKILL during an upload: the writer gets a typed error and nothing is stored", async () => {
    const s = await start();
    const storage = await open(s);
    try {
      await storage.write("k.bin", "old");
      const err = await rejection(storage.writeStream("k.bin", slowSource(32, () => s.child.kill("SIGKILL"))));
      expect(err).to.be.instanceOf(StorageError);
      expect(err.code).to.be.oneOf(["E_CONNECTION", "E_TIMEOUT"]);
    } finally {
      await storage.close();
    }
    const restarted = await start();
    const after = await open(restarted);
    try {
      expect((await after.read("k.bin")).toString()).to.equal("old");
      const keys: string[] = [];
      for await (const k of after.list()) keys.push(k);
      expect(keys).to.deep.equal(["k.bin"]);
    } finally {
      await after.close();
    }
  });

  it("SIGTERM during an upload: the upload finishes whole, then the server exits 0", async () => {
    const s = await start();
    const storage = await open(s);
    let stopping: Promise<number | null> | undefined;
    try {
      await storage.writeStream("whole.bin", slowSource(32, () => (stopping = s.stop("SIGTERM"))));
      expect(await stopping).to.equal(0);
      expect((await stat(join(repoDir, "whole.bin"))).size).to.equal(32 * MiB);
    } finally {
      await storage.close();
    }
  });
});

/**
 * HttpStorage (`skybutler+http://`) against the Storage conformance suite, through a real
 * `skybutler serve` (the built binary, port 0) serving a fresh POSIX directory per test, writing
 * with a `write` token. `denyWrite` restarts the server on the same port with `--read-only`, so
 * the refusal is the real server's 403.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpStorage } from "../../src/storage/http/http-storage.js";
import { startServe, tokenFile, TOKENS, type ServeProcess } from "../support/cli.js";
import { describeStorageConformance, type StorageFixture } from "../../src/testing/index.js";

async function httpFixture(): Promise<StorageFixture> {
  const dir = await mkdtemp(join(tmpdir(), "skybutler-http-conformance-"));
  const tokens = tokenFile([[TOKENS.write, "write"]]);
  const args = ["--port", "0", "--repo", `t=${join(dir, "repo")}`, "--token-file", tokens.path, "--quiet"];
  let server: ServeProcess = await startServe(args);
  const storage = await HttpStorage.open(`skybutler+http://127.0.0.1:${server.port}/t`, { token: TOKENS.write });
  return {
    storage,
    async cleanup() {
      await storage.close();
      await server.stop();
      tokens.remove();
      await rm(dir, { recursive: true, force: true });
    },
    async denyWrite() {
      const port = server.port;
      await server.stop();
      server = await startServe(["--port", String(port), "--repo", `t=${join(dir, "repo")}`, "--token-file", tokens.path, "--quiet", "--read-only"]);
    },
  };
}

describeStorageConformance({ name: "HttpStorage (skybutler serve)", create: httpFixture });

/**
 * The fixtures of the Storage conformance suite, one per backend (the wrapper stacks and the vendor
 * module are in module-stacks.ts, S3 in s3-fixture.ts): each makes a fresh, empty root for one test
 * on a real backend, and a way to make that backend refuse writes natively.
 */
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { HttpStorage } from "../../src/storage/http/http-storage.js";
import { PosixStorage } from "../../src/storage/posix/posix-storage.js";
import { SwiftStorage } from "../../src/storage/swift/swift-storage.js";
import type { StorageFixture } from "../../src/testing/index.js";
import { startServe, tokenFile, TOKENS, type ServeProcess } from "./cli.js";
import { lockDirectory } from "./lock-directory.js";
import { SwiftAdmin, uniqueContainer } from "./swift-admin.js";
import { swiftServer } from "./swift-server.js";

/** Every file below `dir`, relative path → content. */
async function snapshot(dir: string, base = dir): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(out, await snapshot(p, base));
    else if (entry.isSymbolicLink()) out[relative(base, p)] = `-> ${await readlink(p)}`;
    else out[relative(base, p)] = await readFile(p, "utf8");
  }
  return out;
}

/**
 * PosixStorage in a fresh sandbox:
 *
 *   sandbox/root/      the storage root
 *   sandbox/outside/   what `linkOutside` links to, watched by `outside()`
 */
export async function posixFixture(): Promise<StorageFixture & { root: string; sandbox: string }> {
  const sandbox = await mkdtemp(join(tmpdir(), "skybutler-posix-"));
  const root = join(sandbox, "root");
  const storage = await PosixStorage.open(root, { create: true });
  const unlocks: Array<() => Promise<void>> = [];
  return {
    storage,
    root,
    sandbox,
    async cleanup() {
      await storage.close();
      for (const unlock of unlocks.splice(0)) await unlock();
      await rm(sandbox, { recursive: true, force: true });
    },
    async denyWrite(key) {
      const dir = dirname(join(root, key));
      await mkdir(dir, { recursive: true });
      unlocks.push(await lockDirectory(dir));
    },
    async linkOutside(name) {
      await mkdir(join(sandbox, "outside"), { recursive: true });
      await writeFile(join(sandbox, "outside", "victim"), "outside");
      await symlink(join(sandbox, "outside"), join(root, name));
    },
    async outside() {
      const out: Record<string, string> = {};
      for (const entry of await readdir(sandbox, { withFileTypes: true })) {
        if (entry.name === "root") continue;
        if (entry.isDirectory()) Object.assign(out, await snapshot(join(sandbox, entry.name), sandbox));
        else out[entry.name] = await readFile(join(sandbox, entry.name), "utf8");
      }
      return out;
    },
  };
}

/**
 * SwiftStorage on the real Swift of the test run: a fresh container made by the account admin,
 * who grants read and write to `test:tester3` — not an account admin — and the storage runs as that
 * user; `denyWrite` makes the admin withdraw the write grant, so the refusal is a real 403 from the
 * server's ACL check.
 */
export async function swiftFixture(): Promise<StorageFixture> {
  const server = await swiftServer();
  const admin = new SwiftAdmin(server);
  const container = uniqueContainer("conformance");
  const reader = server.reader.user;
  await admin.createContainer(container, { "x-container-read": reader, "x-container-write": reader });
  const storage = await SwiftStorage.open(`swift://${container}`, { authUrl: server.authUrl, user: server.reader.user, key: server.reader.key });
  return {
    storage,
    async cleanup() {
      await storage.close();
      await admin.removeContainer(container);
    },
    async denyWrite() {
      // container ACLs are per container: every key of this root becomes read-only
      await admin.postContainer(container, { "x-container-write": "" });
    },
  };
}

/**
 * HttpStorage (`skybutler+http://`) through a real `skybutler serve` (the built binary, port 0)
 * serving a fresh POSIX directory, writing with a `write` token. `denyWrite` restarts the server on
 * the same port with `--read-only`, so the refusal is the real server's 403.
 */
export async function httpFixture(): Promise<StorageFixture> {
  const dir = await mkdtemp(join(tmpdir(), "skybutler-http-conformance-"));
  const tokens = tokenFile([[TOKENS.write, "write"]]);
  const args = (port: number): string[] => ["--port", String(port), "--repo", `t=${join(dir, "repo")}`, "--token-file", tokens.path, "--quiet"];
  let server: ServeProcess = await startServe(args(0));
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
      server = await startServe([...args(port), "--read-only"]);
    },
  };
}

/**
 * Storage-module stacks for the conformance suite: a storage-modules.yaml in a sandbox whose
 * entries stack built-in wrappers (and vendor modules) on a real base — PosixStorage directories
 * or containers of the test run's real Swift — and a {@link StorageFixture} that opens the top.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { stringify } from "yaml";
import { storageFromUri } from "../../src/storage/schemes.js";
import type { StorageOptions } from "../../src/storage/storage.js";
import type { StorageFixture } from "../../src/testing/index.js";
import { lockDirectory } from "./lock-directory.js";
import { SwiftAdmin, uniqueContainer } from "./swift-admin.js";
import { swiftServer } from "./swift-server.js";

/** A wrapper layer; `args` beyond `over` (which the stack fills in). */
export interface Layer {
  kind: "checksum" | "encrypt" | "dedup" | "mirror" | "cache";
  args?: Record<string, unknown>;
}

/** Where the bottom of a stack stores. */
export type BaseKind = "posix" | "swift";

/** One base root: the URI prefix a wrapper's `over` names, and how to refuse writes there. */
interface Base {
  over: string;
  /** Refuses writes of `key` (relative to the stack's root below this base). */
  deny(key: string): Promise<void>;
  cleanup(): Promise<void>;
}

const ROOT = "r";
export const VENDOR_MODULE = fileURLToPath(new URL("../fixtures/vendor-module/directory-module.ts", import.meta.url));

async function posixBase(sandbox: string, index: number): Promise<Base> {
  const dir = join(sandbox, `base${index}`);
  await mkdir(dir, { recursive: true });
  const unlocks: Array<() => Promise<void>> = [];
  return {
    over: pathToFileURL(dir).href,
    async deny(key) {
      const where = dirname(join(dir, ROOT, key));
      await mkdir(where, { recursive: true });
      unlocks.push(await lockDirectory(where));
    },
    async cleanup() {
      for (const unlock of unlocks.splice(0)) await unlock();
    },
  };
}

async function swiftBase(): Promise<Base & { options: StorageOptions }> {
  const server = await swiftServer();
  const admin = new SwiftAdmin(server);
  const container = uniqueContainer("modules");
  const reader = server.reader.user;
  await admin.createContainer(container, { "x-container-read": reader, "x-container-write": reader });
  return {
    over: `swift://${container}`,
    options: { authUrl: server.authUrl, user: server.reader.user, key: server.reader.key },
    async deny() {
      await admin.postContainer(container, { "x-container-write": "" });
    },
    async cleanup() {
      await admin.removeContainer(container);
    },
  };
}

/** Keys a layer stores below for a caller's key (where a refusal must be made). */
function keysBelow(layer: Layer, key: string): string[] {
  return layer.kind === "dedup" ? [`refs/${key}`] : [key];
}

/** A readable name: "encrypt/checksum on swift". */
export function stackName(layers: Layer[], base: BaseKind): string {
  return `${layers.map((l) => l.kind).join("/")} on ${base}`;
}

/**
 * A fixture factory for a stack of layers (top first) on a base. The module names are l0 (top),
 * l1, …; a mirror is always the bottom layer and gets two bases.
 */
export function stackFixture(layers: Layer[], base: BaseKind): () => Promise<StorageFixture & { sandbox: string; file: string }> {
  return async () => {
    const sandbox = await mkdtemp(join(tmpdir(), "skybutler-stack-"));
    const bottom = layers[layers.length - 1]!;
    const baseCount = bottom.kind === "mirror" ? 2 : 1;
    const bases: Base[] = [];
    let options: StorageOptions = {};
    for (let i = 0; i < baseCount; i++) {
      if (base === "posix") bases.push(await posixBase(sandbox, i));
      else {
        const b = await swiftBase();
        options = b.options;
        bases.push(b);
      }
    }
    const keyFile = join(sandbox, "key.hex");
    await writeFile(keyFile, randomBytes(32).toString("hex"), { mode: 0o600 });
    const config: Record<string, unknown> = {};
    layers.forEach((layer, i) => {
      const over = i < layers.length - 1 ? `l${i + 1}://` : layer.kind === "mirror" ? bases.map((b) => b.over) : bases[0]!.over;
      const args: Record<string, unknown> = { over, ...layer.args };
      if (layer.kind === "encrypt") args.keyFile = keyFile;
      if (layer.kind === "cache") args.dir = join(sandbox, `cache${i}`);
      config[`l${i}`] = { module: `skybutler:${layer.kind}`, description: `layer ${i} of a test stack`, args };
    });
    const file = join(sandbox, "storage-modules.yaml");
    await writeFile(file, stringify(config));
    const restore = useModulesFile(file, sandbox);
    let storage;
    try {
      storage = await storageFromUri(`l0://${ROOT}`, { create: true, ...options });
    } catch (err) {
      restore();
      throw err;
    }
    return {
      storage,
      sandbox,
      file,
      async cleanup() {
        await storage.close();
        for (const b of bases) await b.cleanup();
        restore();
        await rm(sandbox, { recursive: true, force: true });
      },
      async denyWrite(key) {
        let keys = [key];
        for (const layer of layers) keys = keys.flatMap((k) => keysBelow(layer, k));
        for (const b of bases) for (const k of keys) await b.deny(k);
      },
    };
  };
}

/** A fixture of the vendor module of test/fixtures, loaded by a relative path from the YAML file. */
export async function vendorFixture(): Promise<StorageFixture & { sandbox: string; file: string; dataDir: string }> {
  const sandbox = await mkdtemp(join(tmpdir(), "skybutler-vendor-"));
  const dataDir = join(sandbox, "data");
  const file = join(sandbox, "storage-modules.yaml");
  const module = `${relative(sandbox, VENDOR_MODULE)}#DirectoryModule`;
  await writeFile(file, stringify({ vendor: { module: module.startsWith(".") ? module : `./${module}`, description: "a directory", args: { dir: dataDir } } }));
  const restore = useModulesFile(file, sandbox);
  const storage = await storageFromUri("vendor://repo", { create: true });
  const unlocks: Array<() => Promise<void>> = [];
  return {
    storage,
    sandbox,
    file,
    dataDir,
    async cleanup() {
      await storage.close();
      for (const unlock of unlocks.splice(0)) await unlock();
      restore();
      await rm(sandbox, { recursive: true, force: true });
    },
    async denyWrite() {
      // the module keeps every object in one directory: refusing it refuses them all
      unlocks.push(await lockDirectory(dataDir));
    },
  };
}

/**
 * Points SKYBUTLER_STORAGE_MODULES at `file` and XDG_STATE_HOME (module indexes) into the sandbox.
 * @returns a function that restores both
 */
export function useModulesFile(file: string, sandbox: string): () => void {
  const before = { modules: process.env.SKYBUTLER_STORAGE_MODULES, state: process.env.XDG_STATE_HOME };
  process.env.SKYBUTLER_STORAGE_MODULES = file;
  process.env.XDG_STATE_HOME = join(sandbox, "state");
  return () => {
    for (const [name, value] of [["SKYBUTLER_STORAGE_MODULES", before.modules], ["XDG_STATE_HOME", before.state]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** A sandbox with a storage-modules.yaml of `config` in use (see {@link useModulesFile}). */
export interface ModulesSandbox {
  sandbox: string;
  file: string;
  /** Rewrites the YAML file. */
  write(config: Record<string, unknown>): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * Makes a sandbox directory, writes `config(sandbox)` as its storage-modules.yaml and points the
 * environment at it until cleanup.
 */
export async function modulesSandbox(config: (sandbox: string) => Record<string, unknown>): Promise<ModulesSandbox> {
  const sandbox = await mkdtemp(join(tmpdir(), "skybutler-modules-"));
  const file = join(sandbox, "storage-modules.yaml");
  await writeFile(file, stringify(config(sandbox)));
  const restore = useModulesFile(file, sandbox);
  return {
    sandbox,
    file,
    async write(next) {
      await writeFile(file, stringify(next));
    },
    async cleanup() {
      restore();
      await rm(sandbox, { recursive: true, force: true });
    },
  };
}

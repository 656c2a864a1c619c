/**
 * One real OpenStack Swift for the whole mocha run, started on first use by
 * `test/support/swift-server.sh` on free ports of 127.0.0.1 and stopped, by PID, at the end
 * (`test/support/swift-hooks.ts`, with a process-exit backstop). Runs without Swift tests never
 * start it. Keystone is added to the running instance only when a Keystone test asks for it.
 *
 * ```ts
 * const swift = await swiftServer();
 * const storage = await SwiftStorage.open("swift://c", { create: true, authUrl: swift.authUrl, user: swift.user, key: swift.key });
 * ```
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("./swift-server.sh", import.meta.url));

/** Page size of container listings on the test server: small, so that listings have to page. */
export const LISTING_LIMIT = 100;

/** A tempauth account user of the test server. */
export interface SwiftUser {
  user: string;
  key: string;
}

/** What the tests need to reach the running server. */
export interface SwiftServer {
  /** Base port: proxy (tempauth). */
  port: number;
  /** Directory of the instance (configs, data, logs); outside $SKYBUTLER_TMPDIR. */
  dir: string;
  /** `http://127.0.0.1:PORT/auth/v1.0` */
  authUrl: string;
  /** `http://127.0.0.1:PORT/v1/AUTH_test` */
  storageUrl: string;
  /** Account admin of AUTH_test (test:tester). */
  user: string;
  key: string;
  /** Not an account admin: only what container ACLs grant (test:tester3). */
  reader: SwiftUser;
}

/** The Keystone side, once {@link keystoneServer} started it. */
export interface KeystoneServer {
  authUrl: string;
  user: string;
  password: string;
  project: string;
  domain: string;
  /** Port of the Swift proxy that validates Keystone tokens. */
  storagePort: number;
}

/** Largest object of the large-object instance ({@link sloSwiftServer}): 1 MiB. */
export const SLO_MAX_FILE_SIZE = 1024 * 1024;

let starting: Promise<SwiftServer> | undefined;
let startingSlo: Promise<SwiftServer> | undefined;
let keystone: Promise<KeystoneServer> | undefined;
/** Directories of the running instances, stopped in reverse order. */
const dirsToStop: string[] = [];

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return out;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * Where base ports are drawn from: below the kernel's ephemeral range, so that no outgoing
 * connection (each client socket takes an ephemeral port) can grab a port of the server between
 * the probe and a later start — Keystone starts long after the rest.
 */
function portWindow(): [number, number] {
  let low = 32768;
  try {
    low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || low;
  } catch {
    // not Linux: keep the IANA default
  }
  return low > 12_000 ? [10_000, low - 10] : [61_000, 65_520];
}

/** A base port with the six ports it needs free (the script checks again: a race makes it retry). */
async function freeBase(): Promise<number> {
  const [from, to] = portWindow();
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = from + Math.floor(Math.random() * ((to - from) / 10)) * 10;
    let ok = true;
    for (let p = base; p < base + 6 && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error("no six free consecutive ports found on 127.0.0.1 for the test Swift server");
}

async function start(extraEnv: Record<string, string> = {}): Promise<SwiftServer> {
  const dir = mkdtempSync(join(tmpdir(), "skybutler-swift-"));
  if (dirsToStop.length === 0) process.once("exit", stopSync);
  dirsToStop.push(dir);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeBase();
    try {
      const { stdout } = await run("bash", [SCRIPT, "start", dir, String(port)], {
        env: { ...process.env, SAIO_LISTING_LIMIT: String(LISTING_LIMIT), ...extraEnv },
        timeout: 90_000,
      });
      const env = parseEnv(stdout);
      return {
        port,
        dir,
        authUrl: env.SWIFT_AUTH_URL!,
        storageUrl: env.SWIFT_STORAGE_URL!,
        user: env.SWIFT_USER!,
        key: env.SWIFT_KEY!,
        reader: { user: "test:tester3", key: "testing3" },
      };
    } catch (err) {
      lastError = err;
      // only a port taken between the probe and the start is worth another try
      if (!String((err as { stderr?: string }).stderr ?? "").includes("is in use")) break;
    }
  }
  throw new Error(`the test Swift server did not start: ${String((lastError as { stderr?: string }).stderr ?? lastError)}`);
}

/**
 * The running test server, started on the first call (about 1–2 s) and shared by every test.
 * @throws Error when Swift is not installed or does not start (the script's log tail is in the message)
 */
export function swiftServer(): Promise<SwiftServer> {
  starting ??= start();
  return starting;
}

/**
 * A second, separate server whose `max_file_size` is {@link SLO_MAX_FILE_SIZE}, started on the
 * first call: larger objects must go up as Static Large Objects. Only the large-object tests use
 * it, so the other tests keep the default limit (their 256 MiB streams).
 * @throws Error when Swift does not start
 */
export function sloSwiftServer(): Promise<SwiftServer> {
  startingSlo ??= start({ SAIO_MAX_FILE_SIZE: String(SLO_MAX_FILE_SIZE) });
  return startingSlo;
}

/** Adds Keystone (v3, sqlite) and a Keystone-validating proxy to the running server, once (about 5–11 s). */
export function keystoneServer(): Promise<KeystoneServer> {
  keystone ??= (async () => {
    const swift = await swiftServer();
    const { stdout } = await run("bash", [SCRIPT, "keystone", swift.dir], { timeout: 120_000 });
    const env = parseEnv(stdout);
    return {
      authUrl: env.SWIFT_KEYSTONE_AUTH_URL!,
      user: env.SWIFT_KEYSTONE_USER!,
      password: env.SWIFT_KEYSTONE_PASSWORD!,
      project: env.SWIFT_KEYSTONE_PROJECT!,
      domain: env.SWIFT_KEYSTONE_DOMAIN!,
      storagePort: Number(env.SWIFT_KEYSTONE_STORAGE_PORT),
    };
  })();
  return keystone;
}

/** The lines the proxy logged so far (one per request), to count what a client sent. */
export function proxyLog(server: SwiftServer, name = "proxy-server"): string[] {
  return readFileSync(join(server.dir, "log", `${name}.log`), "utf8").split("\n");
}

function stopSync(): void {
  for (const dir of dirsToStop.splice(0).reverse()) {
    try {
      execFileSync("bash", [SCRIPT, "stop", dir], { stdio: "ignore", timeout: 30_000 });
    } catch {
      // best effort at exit: the next directory must still be stopped
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Stops every process the servers started (by the PIDs they recorded) and removes their directories. */
export async function stopSwift(): Promise<void> {
  const dirs = dirsToStop.splice(0).reverse();
  if (dirs.length === 0) return;
  process.off("exit", stopSync);
  starting = undefined;
  startingSlo = undefined;
  keystone = undefined;
  const failures: unknown[] = [];
  for (const dir of dirs) {
    try {
      await run("bash", [SCRIPT, "stop", dir], { timeout: 30_000 });
    } catch (err) {
      failures.push(err);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (failures.length > 0) throw failures[0];
}

/**
 * Runs python-swiftclient's `swift` CLI as the account admin (v1 auth).
 * @returns stdout
 */
export async function swiftCli(server: SwiftServer, args: string[], cwd?: string): Promise<string> {
  const { stdout } = await run("swift", ["-A", server.authUrl, "-U", server.user, "-K", server.key, ...args], {
    cwd,
    timeout: 60_000,
  });
  return stdout;
}

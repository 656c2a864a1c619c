/**
 * The built `skybutler` binary as a child process, as users run it: one-shot commands
 * ({@link runCli}) and a real `skybutler serve` on port 0 ({@link startServe}). The build is
 * brought up to date once per test process (`scripts/build-if-stale.mjs`); every server started
 * here is stopped by its PID at the end of the run at the latest.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The built entry point. */
export const CLI = join(ROOT, "dist", "src", "cli", "main.js");

let built = false;

/** Compiles dist/ if a source is newer than the last build (once per process). */
export function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, [join(ROOT, "scripts", "build-if-stale.mjs")], { stdio: ["ignore", "inherit", "inherit"] });
  built = true;
}

/** What a command did. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Kill it after this long (a hang is a test failure, not a stuck suite). Default 60 s. */
  timeoutMs?: number;
}

/** Runs `skybutler ARGS…` to completion. */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  ensureBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A running `skybutler serve`. */
export interface ServeProcess {
  /** `http://127.0.0.1:PORT` from its first stdout line. */
  url: string;
  port: number;
  child: ChildProcess;
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** Sends a signal (SIGTERM by default) and waits for the exit; resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Stops every server still running (for an `after` hook). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  })));
}

/**
 * Starts `skybutler serve ARGS…` (add `--port 0`) and waits for `listening on http://…`.
 * @throws Error with its stderr when it exits first or does not listen within 20 s
 */
export function startServe(args: string[], options: RunOptions = {}): Promise<ServeProcess> {
  ensureBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "serve", ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    let stdout = "";
    let stderr = "";
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => {
      running.delete(child);
      done(code);
    }));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`skybutler serve did not listen within 20 s:\n${stderr}`));
    }, 20_000);
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const match = /^listening on (http:\/\/[^\s]+):(\d+)\n/.exec(stdout);
      if (match === null) return;
      clearTimeout(timer);
      resolve({
        url: `${match[1]}:${match[2]}`,
        port: Number(match[2]),
        child,
        stderr: () => stderr,
        stop: (signal = "SIGTERM") => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`skybutler serve exited with ${code} before listening:\n${stderr}`));
    });
  });
}

/** A token file (mode 600) in a fresh directory; `remove()` deletes both. */
export function tokenFile(lines: Array<[string, string]>, mode = 0o600): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "skybutler-tokens-"));
  const path = join(dir, "tokens");
  writeFileSync(path, `# test tokens\n${lines.map(([t, s]) => `${t} ${s}`).join("\n")}\n`);
  chmodSync(path, mode);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Tokens of the tests: long enough, distinct per scope. */
export const TOKENS = {
  read: "read-token-0123456789abcdef",
  write: "write-token-0123456789abcdef",
  admin: "admin-token-0123456789abcdef",
} as const;

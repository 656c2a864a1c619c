/**
 * The one per-process directory that holds skybutler's temporary files, and its removal at exit.
 *
 * Every temp file lives under one directory per process, so cleanup at exit is a single recursive
 * remove and a test can assert "nothing left" by listing one place.
 *
 * @packageDocumentation
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let root: string | undefined;
const exitHooks = new Set<() => void>();

/**
 * The base directory for temp files: `$SKYBUTLER_TMPDIR`, else the OS temp directory.
 * Read on first use, so tests may set it before the first temp file is made.
 */
export function tempBase(): string {
  return process.env.SKYBUTLER_TMPDIR || tmpdir();
}

/**
 * This process's private temp directory, created on first use with mode 0700 and removed at exit.
 * @throws Error when the base directory cannot be created or written
 */
export function tempRoot(): string {
  if (root === undefined) {
    const base = tempBase();
    mkdirSync(base, { recursive: true });
    sweepOrphans(base);
    root = mkdtempSync(join(base, `skybutler-${process.pid}-`));
    installExitCleanup();
  }
  return root;
}

/** A temp root's name: `skybutler-<pid>-<random>`. */
const ROOT_NAME = /^skybutler-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * Removes the temp roots of processes that died without their exit cleanup (SIGKILL, a power
 * cut): this user's `skybutler-<pid>-…` directories whose process no longer exists. Best effort —
 * a directory that cannot be read or removed is left for the next start. A recycled pid keeps a
 * dead process's directory until that pid is free again; nothing of a live process is touched.
 */
export function sweepOrphans(base: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return 0;
  }
  for (const name of names) {
    const match = ROOT_NAME.exec(name);
    if (match === null || Number(match[1]) === process.pid || processAlive(Number(match[1]))) continue;
    const path = join(base, name);
    try {
      const info = statSync(path);
      if (!info.isDirectory() || (process.getuid !== undefined && info.uid !== process.getuid())) continue;
      rmSync(path, { recursive: true, force: true });
      removed++;
    } catch {
      // another process swept it first, or it is not ours to remove
    }
  }
  return removed;
}

/**
 * Whether a process of this host (this PID namespace) exists: `kill(pid, 0)` succeeds, or fails
 * only for want of permission.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Registers a synchronous function run at process exit (before the temp root is removed), e.g. to
 * close open registries. Returns a function that unregisters it.
 */
export function onProcessExit(hook: () => void): () => void {
  exitHooks.add(hook);
  installExitCleanup();
  return () => exitHooks.delete(hook);
}

let installed = false;
function installExitCleanup(): void {
  if (installed) return;
  installed = true;
  process.once("exit", cleanupNow);
  // A signal would otherwise kill the process without running "exit" handlers. Only take over a
  // signal nobody else handles, and re-raise it afterwards so the exit status stays the same.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    if (process.listenerCount(signal) > 0) continue;
    process.once(signal, () => {
      cleanupNow();
      process.kill(process.pid, signal);
    });
  }
}

function cleanupNow(): void {
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // exit cleanup is best effort: one failing hook must not keep the temp root alive
    }
  }
  exitHooks.clear();
  if (root !== undefined) {
    rmSync(root, { recursive: true, force: true });
    root = undefined;
  }
}

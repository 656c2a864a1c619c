/**
 * The one per-process directory that holds skybutler's temporary files, and its removal at exit.
 *
 * Every temp file lives under one directory per process, so cleanup at exit is a single recursive
 * remove and a test can assert "nothing left" by listing one place.
 *
 * @packageDocumentation
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
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
    root = mkdtempSync(join(base, `skybutler-${process.pid}-`));
    installExitCleanup();
  }
  return root;
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

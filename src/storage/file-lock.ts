/**
 * Lock files between processes: `PATH.lock` made with O_EXCL holding "PID HOST TIME"; a lock whose
 * process is gone (same host) or that is older than `staleMs` is taken over. For short critical
 * sections only (a read-modify-write of a small file, one cache fill).
 *
 * @packageDocumentation
 */
import { open, readFile, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { StorageError } from "../errors.js";
import { processAlive } from "../temp/index.js";

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up after waiting this long. Default 30 000 ms. */
  timeoutMs?: number;
  /** A lock older than this is considered abandoned. Default 10 minutes. */
  staleMs?: number;
}


/** Whether the lock at `path` was left by a process that is gone, or is too old. */
async function abandoned(path: string, staleMs: number): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const [pid, host] = text.split(" ");
    // an empty file is a lock being written right now
    return host === hostname() && Number(pid) > 0 && !processAlive(Number(pid));
  } catch {
    return false; // gone already, or unreadable: try again
  }
}

/**
 * Takes the lock `${path}.lock`, waiting (polling with backoff) while another process holds it.
 * @returns a function that releases it (idempotent)
 * @throws StorageError (E_TIMEOUT) when it cannot be taken in time; the fs error when the directory is unusable
 */
export async function acquireFileLock(path: string, options: FileLockOptions = {}): Promise<() => Promise<void>> {
  const lock = `${path}.lock`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 600_000;
  const started = Date.now();
  for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
    try {
      const handle = await open(lock, "wx", 0o600);
      await handle.writeFile(`${process.pid} ${hostname()} ${Date.now()}`);
      await handle.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await rm(lock, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (await abandoned(lock, staleMs)) {
      await rm(lock, { force: true });
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new StorageError(`could not take the lock ${lock} within ${timeoutMs} ms; if no skybutler process is running, remove it`, { code: "E_TIMEOUT" });
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** Runs `fn` holding the lock `${path}.lock`. @throws as {@link acquireFileLock}, and what `fn` throws */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options?: FileLockOptions): Promise<T> {
  const release = await acquireFileLock(path, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

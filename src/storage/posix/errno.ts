/**
 * Translation of Node's filesystem errors (`ENOENT`, `EACCES` …) into the storage error classes, so
 * that callers branch on the same classes whatever the backend.
 *
 * @packageDocumentation
 */
import {
  AlreadyExistsError,
  ButlerError,
  InvalidKeyError,
  NotFoundError,
  PermissionDeniedError,
  StorageError,
  UnsupportedOperationError,
} from "../../errors.js";

/** The `code` of a Node system error (`ENOENT` …), or undefined for anything else. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** Whether `err` is a Node system error with one of the given codes. */
export function isErrno(err: unknown, ...codes: string[]): boolean {
  const code = errnoOf(err);
  return code !== undefined && codes.includes(code);
}

/** What the failing operation was doing: the same errno means different things for reads and writes. */
export type FsOperation = "read" | "write";

/**
 * Turns a filesystem error into the storage error class callers branch on. Errors that already are
 * skybutler errors pass through unchanged.
 *
 * - `ENOENT` → {@link NotFoundError}; on a read `ENOTDIR`/`EISDIR` too (a directory or a path
 *   through a file is "no object at this key", as on an object store).
 * - `EEXIST` → {@link AlreadyExistsError}.
 * - `EACCES`, `EPERM`, `EROFS` → {@link PermissionDeniedError}.
 * - `ENOTDIR`/`EISDIR`/`ENOTEMPTY` on a write → {@link UnsupportedOperationError}: a POSIX
 *   directory tree cannot hold both `a` and `a/b`, which an object store can.
 * - `ENAMETOOLONG` → {@link InvalidKeyError}.
 * - anything else → {@link StorageError} with the original as `cause`.
 *
 * @param err - the error thrown by `node:fs`
 * @param key - the normalised key the operation was about
 * @param where - the storage root URI, for the message
 * @param op - whether a read or a write failed
 */
export function translateFsError(err: unknown, key: string, where: string, op: FsOperation): Error {
  if (err instanceof ButlerError) return err;
  const code = errnoOf(err);
  const cause = { cause: err };
  switch (code) {
    case "ENOENT":
      return new NotFoundError(key, where, cause);
    case "ENOTDIR":
    case "EISDIR":
    case "ENOTEMPTY":
      if (op === "read") return new NotFoundError(key, where, cause);
      return conflictError(key, where);
    case "EEXIST":
      return new AlreadyExistsError(key, where, cause);
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return new PermissionDeniedError(key, where, cause);
    case "ENAMETOOLONG":
      return new InvalidKeyError(key, "a path segment is too long for this filesystem", cause);
    case "ENOSPC":
    case "EDQUOT":
      return new StorageError(`no space left to write key "${key}" in ${where}; free some space or use another output root`, cause);
    default: {
      const what = err instanceof Error ? err.message : String(err);
      return new StorageError(`${op} of key "${key}" in ${where} failed: ${what}`, cause);
    }
  }
}

/**
 * The error for a key whose path collides with a directory or a file on the way: `a/b` cannot be
 * written when `a` is a file, nor `a` when `a/` holds objects.
 */
export function conflictError(key: string, where: string): UnsupportedOperationError {
  return new UnsupportedOperationError(
    `cannot write key "${key}" in ${where}: a POSIX storage cannot hold both an object "x" and objects below "x/",` +
      ` and one of the key's path segments is already used the other way; choose another key`,
  );
}

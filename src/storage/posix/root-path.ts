/**
 * Where a key lives below a PosixStorage root, and the rule that writes never leave the root.
 *
 * Keys cannot escape (`normalizeKey` rejects `..`), but a symbolic link inside the root can point
 * anywhere. Reads follow such links — the repository owner placed them (Gen2's
 * `ingestImages --mode=link`, `_parent`) — but writes and deletes resolve the parent directory and refuse to act
 * outside the root, so no key can create, replace or delete a file elsewhere.
 *
 * @packageDocumentation
 */
import { realpathSync } from "node:fs";
import { mkdir, rmdir } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { InvalidKeyError } from "../../errors.js";
import { conflictError, isErrno, translateFsError } from "./errno.js";

/** A storage root: the path as given (for URIs and reads) and its real path (for containment). */
export interface RootPaths {
  /** Absolute path as the user named it (may pass through links). */
  readonly path: string;
  /** `realpath` of the root. */
  readonly real: string;
  /** The root URI, for error messages. */
  readonly uri: string;
}

/** Whether the real path `p` is the root or below it. */
export function isInside(root: RootPaths, p: string): boolean {
  const base = root.real.endsWith(sep) ? root.real : root.real + sep;
  return p === root.real || p.startsWith(base);
}

/**
 * The real directory that holds (or will hold) `key`, checked to be inside the root; with `create`
 * the missing directories are made below the deepest existing one — never through a link that
 * leads out of the root, because the check happens before any `mkdir`.
 * @throws InvalidKeyError when the parent resolves outside the root
 * @throws NotFoundError when the parent is missing and `create` is false
 * @throws UnsupportedOperationError when a path segment is a file
 */
export async function resolveParentForWrite(root: RootPaths, key: string, create: boolean): Promise<string> {
  const dirs = key.split("/").slice(0, -1);
  let existing = dirs.length;
  let real: string | undefined;
  for (; existing >= 0; existing--) {
    try {
      // one libc realpath from the dentry cache, synchronously: a pool round trip cost more (see atomic-write.ts)
      real = realpathSync.native(join(root.path, ...dirs.slice(0, existing)));
      break;
    } catch (err) {
      if (!isErrno(err, "ENOENT", "ENOTDIR")) throw translateFsError(err, key, root.uri, "write");
      if (!create) throw translateFsError(err, key, root.uri, "read");
    }
  }
  if (real === undefined) throw new Error(`storage root ${root.path} has disappeared`);
  if (!isInside(root, real)) {
    throw new InvalidKeyError(
      key,
      `its directory resolves to ${real}, outside the repository root ${root.real}, through a symbolic link;` +
        ` writes never follow links out of the root (write below a real directory instead)`,
    );
  }
  if (existing === dirs.length) return real;
  const target = join(real, ...dirs.slice(existing));
  try {
    await mkdir(target, { recursive: true });
  } catch (err) {
    if (isErrno(err, "EEXIST", "ENOTDIR")) throw conflictError(key, root.uri);
    throw translateFsError(err, key, root.uri, "write");
  }
  return target;
}

/**
 * Removes the now-empty directories from `dir` up to (not including) the root, so that the tree
 * looks like an object store after a delete or an aborted write. Stops at the first directory that
 * is not empty. A writer racing with this retries its `mkdir` (see PosixStorage).
 */
export async function pruneEmptyDirs(root: RootPaths, dir: string): Promise<void> {
  for (let d = dir; d !== root.real && isInside(root, d); d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return;
    }
  }
}

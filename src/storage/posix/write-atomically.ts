/**
 * The write side of {@link PosixStorage}: every write goes through a temp file beside the
 * destination ({@link AtomicWrite}), and whatever fails, the temp file and the directories it
 * alone needed are removed again.
 *
 * @packageDocumentation
 */
import { basename } from "node:path";
import { AlreadyExistsError, StorageError } from "../../errors.js";
import type { WriteOptions } from "../storage.js";
import { AtomicWrite } from "./atomic-write.js";
import { isErrno, translateFsError } from "./errno.js";
import { pruneEmptyDirs, resolveParentForWrite, type RootPaths } from "./root-path.js";
import { tempNameFor } from "./temp-name.js";

/** How often a write retries when a concurrent delete pruned the directory it had just made. */
const MKDIR_RETRIES = 5;

/** The storage a write goes to. */
export interface WriteTarget {
  /** The storage root: where directories are made and, after a failure, pruned again. */
  readonly root: RootPaths;
  /** The storage URI, for messages. */
  readonly uri: string;
  /** The storage's own `exists`: it also checks that the storage is still open. */
  exists(key: string): Promise<boolean>;
}

/**
 * Fails early for `ifAbsent`, before a large write; the `link` at commit is what makes it race-free.
 * @throws AlreadyExistsError
 */
export async function refuseExisting(target: WriteTarget, key: string): Promise<void> {
  if (await target.exists(key)) throw new AlreadyExistsError(key, target.uri);
}

/**
 * Makes the temp file beside the destination, making its directories (again, if a delete pruned them).
 * @throws StorageError when the directory keeps disappearing, PermissionDeniedError
 */
export async function beginWrite(target: WriteTarget, key: string, tempName: string, byPath = false): Promise<AtomicWrite> {
  const translate = (err: unknown): Error => translateFsError(err, key, target.uri, "write");
  for (let attempt = 1; ; attempt++) {
    const dir = await resolveParentForWrite(target.root, key, true);
    try {
      return byPath ? AtomicWrite.createByPath(dir, basename(key), tempName, translate) : await AtomicWrite.begin(dir, basename(key), tempName, translate);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw translate(err);
      if (attempt >= MKDIR_RETRIES) {
        throw new StorageError(`cannot create a temp file for key "${key}" in ${target.uri}: its directory keeps disappearing`, { cause: err });
      }
    }
  }
}

/**
 * Runs a whole write: temp file, fill, commit; on any failure the temp file is gone. An error of
 * `fill` is rethrown as is.
 * @throws AlreadyExistsError (with ifAbsent), PermissionDeniedError
 */
export async function writeAtomically(target: WriteTarget, key: string, options: WriteOptions, fill: (w: AtomicWrite) => Promise<void>): Promise<void> {
  const ifAbsent = options.ifAbsent === true;
  if (ifAbsent) await refuseExisting(target, key);
  const write = await beginWrite(target, key, tempNameFor(basename(key), key));
  try {
    await fill(write);
  } catch (err) {
    await discardWrite(target.root, write);
    throw err;
  }
  try {
    await write.commit(ifAbsent, undefined, options.durable !== false);
  } catch (err) {
    await pruneEmptyDirs(target.root, write.dir);
    throw err;
  }
}

/**
 * Makes the temp file, closed, for a caller that fills it by path (a pending local file).
 * @throws as {@link beginWrite}
 */
export async function beginWriteByPath(target: WriteTarget, key: string, tempName: string): Promise<AtomicWrite> {
  return beginWrite(target, key, tempName, true);
}

/** Removes the temp file of an unfinished write, and the directories that were made only for it. */
export async function discardWrite(root: RootPaths, write: AtomicWrite): Promise<void> {
  await write.abort();
  await pruneEmptyDirs(root, write.dir);
}

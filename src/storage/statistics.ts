/**
 * Helpers every backend shares for {@link Storage.statistics} and {@link Storage.available}.
 *
 * @packageDocumentation
 */
import { statfs } from "node:fs/promises";
import { NotFoundError } from "../errors.js";
import type { AvailableOptions, Storage, StorageCapacity } from "./storage.js";

/**
 * `available` from `stat`: the object exists and each expected field matches.
 * @throws InvalidKeyError, ClosedError, and any failure of `stat` other than NotFoundError
 */
export async function availableByStat(storage: Storage, key: string, expected: AvailableOptions = {}): Promise<boolean> {
  try {
    const info = await storage.stat(key);
    if (expected.size !== undefined && info.size !== expected.size) return false;
    if (expected.etag !== undefined && info.etag !== expected.etag) return false;
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

/**
 * Objects and bytes below the root by listing and stat-ing every key: for backends whose listing
 * does not carry sizes. An object deleted meanwhile is skipped.
 * @throws whatever `list` or `stat` throws
 */
export async function countByListing(storage: Storage): Promise<{ objects: number; bytes: number }> {
  let objects = 0;
  let bytes = 0;
  for await (const key of storage.list()) {
    try {
      bytes += (await storage.stat(key)).size;
      objects++;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  return { objects, bytes };
}

/**
 * The capacity of the filesystem holding `path` (statfs): `free` is what an unprivileged user may
 * still write (`bavail`), `used` what is taken (`blocks - bfree`).
 * @throws the fs error (ENOENT …)
 */
export async function filesystemCapacity(path: string): Promise<StorageCapacity> {
  const fs = await statfs(path);
  return { total: fs.blocks * fs.bsize, used: (fs.blocks - fs.bfree) * fs.bsize, free: fs.bavail * fs.bsize };
}

/**
 * `put(…, {doBackup: true})`: keep the existing object as `<key>~1`, `~2`, …
 *
 * Gen2 shifted existing backups up by one (`~1` → `~2`) with renames, which two processes could
 * interleave and lose a backup ("not safe for parallel processing"). Here a backup takes the
 * first free number with an `ifAbsent` copy, which the storage makes race-free: concurrent
 * backups get distinct numbers and none is overwritten. Numbers therefore grow with age: `~1` is
 * the oldest backup.
 *
 * @packageDocumentation
 */
import { AlreadyExistsError } from "../errors.js";
import type { Storage } from "../storage/storage.js";

/** Upper bound on backups of one key, so a runaway loop ends with an error instead of spinning. */
const MAX_BACKUPS = 10_000;

/**
 * Copies the object at `key` to the first free `key~N` and returns that key.
 * @throws NotFoundError when there is no object at `key`
 */
export async function backupObject(storage: Storage, key: string): Promise<string> {
  for (let n = 1; n <= MAX_BACKUPS; n++) {
    const backup = `${key}~${n}`;
    try {
      await storage.copy(key, backup, { ifAbsent: true });
      return backup;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }
  throw new AlreadyExistsError(`${key}~${MAX_BACKUPS}`, storage.uri);
}

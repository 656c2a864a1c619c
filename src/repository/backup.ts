/**
 * `put(…, {doBackup: true})`: every version is kept as `<key>~1`, `~2`, … (numbered in order of
 * creation, `~1` the oldest).
 *
 * Gen2 shifted existing backups up by one (`~1` → `~2`) with renames, which two processes could
 * interleave and lose a backup ("not safe for parallel processing"). Copying the current object to
 * a free `~N` and then replacing it is not enough either: two writers may both copy the same old
 * version, and then the second replaces the first one's new version, which no backup holds. A
 * storage offers no compare-and-swap of the current object (Swift has none), only "create if
 * absent" (`ifAbsent`: a `link` on POSIX, `If-None-Match: *` on Swift). So the guarantee is built
 * on that alone:
 *
 * 1. {@link keepCurrent}: the object found at `key` is copied to the next free `~N`, unless the
 *    newest backup already holds the same bytes (the usual case: the previous doBackup put kept it);
 * 2. {@link BackupStorage}: the new version is published *first* at its own free `~M` (`ifAbsent`,
 *    the next number on AlreadyExistsError) and only then at `key`.
 *
 * Hence every version a doBackup put acknowledged exists at its own `~M`, which is never
 * overwritten nor deleted, whatever other writers do between the steps — on any number of
 * processes and hosts. The newest backup is therefore normally a copy of the current object. A
 * version written by a plain put is kept when a later doBackup put finds it current; one that a
 * concurrent put replaces before that is lost, as a plain put promises nothing (last writer wins).
 * On Swift `ifAbsent` is exact within one process (see SwiftStorage); across processes two PUTs of
 * one name that overlap in time can both pass Swift's check.
 *
 * @packageDocumentation
 */
import { AlreadyExistsError, NotFoundError } from "../errors.js";
import { pendingLocalFile } from "../storage/pending-file.js";
import { LocalFileWritesStorage } from "../storage/local-file-writes.js";
import type { PendingLocalFile, Storage, WriteOptions } from "../storage/storage.js";
import { sameBytes } from "./same-bytes.js";

/** Upper bound on backups of one key, so a runaway loop ends with an error instead of spinning. */
const MAX_BACKUPS = 100_000;

/** The numbers of the existing backups of `key`, ascending. */
async function backupNumbers(storage: Storage, key: string): Promise<number[]> {
  const numbers: number[] = [];
  for await (const listed of storage.list({ prefix: `${key}~` })) {
    const suffix = listed.slice(key.length + 1);
    if (/^[1-9][0-9]*$/.test(suffix)) numbers.push(Number(suffix));
  }
  return numbers.sort((a, b) => a - b);
}

/**
 * Writes a backup of `key` with `save(backupKey)` (an `ifAbsent` write) at the first number after
 * the newest backup, moving on past numbers a concurrent writer took. Listing first keeps a put
 * from trying every number of a long history.
 * @throws AlreadyExistsError after {@link MAX_BACKUPS}; whatever `save` throws besides AlreadyExistsError
 */
async function saveAtNextNumber(storage: Storage, key: string, save: (backupKey: string) => Promise<void>): Promise<string> {
  const numbers = await backupNumbers(storage, key);
  for (let n = (numbers.at(-1) ?? 0) + 1; n <= MAX_BACKUPS; n++) {
    const backup = `${key}~${n}`;
    try {
      await save(backup);
      return backup;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }
  throw new AlreadyExistsError(`${key}~${MAX_BACKUPS}`, storage.uri);
}

/** Whether two objects hold the same bytes: sizes, then MD5 ETags where both have one, else MD5s of the contents. */
async function sameObjects(storage: Storage, a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([storage.stat(a), storage.stat(b)]);
  if (x.size !== y.size) return false;
  const md5 = (etag: string | undefined) => etag?.replace(/^"(.*)"$/, "$1").toLowerCase().match(/^[0-9a-f]{32}$/)?.[0];
  const [ma, mb] = [md5(x.etag), md5(y.etag)];
  if (ma !== undefined && mb !== undefined) return ma === mb;
  const local = await storage.getLocalFile(a);
  try {
    return await sameBytes(storage, b, local.path, x.size);
  } finally {
    await local.release();
  }
}

/**
 * Step 1 of a doBackup put: keeps the object now at `key` as the next `key~N`, unless there is
 * none or the newest backup already holds its bytes. Returns the backup written, if any.
 * @throws StorageError from the storage
 */
export async function keepCurrent(storage: Storage, key: string): Promise<string | undefined> {
  if (!(await storage.exists(key))) return undefined;
  const newest = (await backupNumbers(storage, key)).at(-1);
  try {
    if (newest !== undefined && (await sameObjects(storage, key, `${key}~${newest}`))) return undefined;
    return await saveAtNextNumber(storage, key, (backup) => storage.copy(key, backup, { ifAbsent: true }));
  } catch (err) {
    // replaced or removed meanwhile by another writer, whose version is its own business
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/**
 * The storage a doBackup put writes through (step 2): every object committed at a key is first
 * published at the next free `key~M` of `backups` (`ifAbsent`), then committed through `inner`
 * (which may add records and checksums). A failure to keep the version fails the put before the
 * current object changes.
 */
export class BackupStorage extends LocalFileWritesStorage {
  readonly #backups: Storage;

  /**
   * @param inner - what the put writes through (the repository's storage or its PutStorage)
   * @param backups - the repository's own storage, where the backups go (no records)
   */
  constructor(inner: Storage, backups: Storage) {
    super(inner);
    this.#backups = backups;
  }




  override async createLocalFile(key: string, options: WriteOptions & { suffix?: string } = {}): Promise<PendingLocalFile> {
    const pending = await this.inner.createLocalFile(key, options);
    const backups = this.#backups;
    return pendingLocalFile({
      path: pending.path,
      ...(pending.observe === undefined ? {} : { observe: pending.observe }),
      publish: async (commitOptions) => {
        await saveAtNextNumber(backups, key, (backup) => backups.putLocalFile(pending.path, backup, { ifAbsent: true }));
        await pending.commit(commitOptions);
      },
      discard: () => pending.abort(),
    });
  }

}

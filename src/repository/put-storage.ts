/**
 * The Storage a formatter writes through during one `put`: it adds what the Butler needs around
 * the commit of every object — a checksum, the dataset record written in the same transaction as
 * the rename, and the write-once check — without the formatters knowing.
 *
 * @packageDocumentation
 */
import { statSync } from "node:fs";
import { open } from "node:fs/promises";
import { AlreadyExistsError, DatasetConflictError } from "../errors.js";
import { LocalFileWritesStorage } from "../storage/local-file-writes.js";
import { hashFile, LOCAL_LIMIT, OffThreadHash } from "../storage/off-thread-hash.js";
import { pendingLocalFile } from "../storage/pending-file.js";
import type { PendingLocalFile, Storage, WriteOptions } from "../storage/storage.js";

/** What a put knows about the object it publishes. */
export interface PublishedObject {
  key: string;
  size: number;
  /** `sha256:<hex>`. */
  checksum: string;
}

/** What to do around each commit (a put that needs neither uses the repository's storage as is). */
export interface PutStorageOptions {
  /** Dataset type, for messages. */
  datasetType: string;
  /** Records the object inside the publication's critical section; must call `publish` (synchronously) in it. */
  recordAround?: (object: PublishedObject, publish: () => void) => void;
  /** Records the object after it is published (a store that cannot join the publication). */
  recordAfter?: (object: PublishedObject) => Promise<void>;
  /** An identical rewrite is a no-op; a different one raises DatasetConflictError. */
  writeOnce?: boolean;
}

/** `sha256:<hex>` and size of a local file, read and hashed on the hashing worker (memory stays flat). */
export async function digestFile(path: string): Promise<{ size: number; checksum: string }> {
  const { size, segments } = await hashFile(path, "sha256");
  return { size, checksum: `sha256:${segments[0]!}` };
}

async function syncFile(path: string): Promise<void> {
  // read-only: fsync needs no write access (the file may be a copy of a read-only one)
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function digestObject(storage: Storage, key: string): Promise<string> {
  const local = await storage.getLocalFile(key);
  try {
    return (await digestFile(local.path)).checksum;
  } finally {
    await local.release();
  }
}

/** Wraps a repository's storage for one put. Every write goes through a pending local file. */
export class PutStorage extends LocalFileWritesStorage {
  readonly #options: PutStorageOptions;

  /** @param inner - the repository's storage; @param options - record / write-once behaviour */
  constructor(inner: Storage, options: PutStorageOptions) {
    super(inner);
    this.#options = options;
  }

  override async createLocalFile(key: string, options: WriteOptions & { suffix?: string } = {}): Promise<PendingLocalFile> {
    const writeOnce = this.#options.writeOnce === true;
    // A write-once dataset that exists already is written only to be compared, never committed;
    // otherwise `ifAbsent` makes the commit lose cleanly to a concurrent writer.
    const existed = writeOnce && (await this.inner.exists(key));
    const pending = await this.inner.createLocalFile(key, writeOnce && !existed ? { ...options, ifAbsent: true } : options);
    const { recordAround, recordAfter } = this.#options;
    // Hash as the writer writes (when it streams): SHA-256 for the record or the comparison — on
    // the hashing worker once the file passes a MiB, so a large put's hash runs beside its
    // encoding — plus whatever the backend observes (Swift's MD5)
    const sha = new OffThreadHash("sha256");
    const observe = (bytes: Uint8Array): Promise<void> | undefined => {
      const hashed = sha.update(bytes);
      const observed = pending.observe?.(bytes) as Promise<void> | undefined; // void or a promise
      return hashed === undefined ? observed : observed === undefined ? hashed : Promise.all([hashed, observed]).then(() => undefined);
    };
    return pendingLocalFile({
      path: pending.path,
      observe,
      publish: async (commitOptions) => {
        // A writer that did not stream the file to `observe`: hash it now, while the kernel
        // flushes it, so the commit's own fsync finds nothing left to write.
        const size = statSync(pending.path).size; // a local temp file: no pool round trip for a stat
        const streamed = sha.size === size && size > 0;
        if (!streamed) sha.dispose();
        const digest = streamed
          ? // a large file's hash may still be running on the worker: its fsync runs meanwhile
            { size, checksum: `sha256:${size > LOCAL_LIMIT ? (await Promise.all([sha.digest(), syncFile(pending.path)]))[0] : await sha.digest()}` }
          : (await Promise.all([digestFile(pending.path), syncFile(pending.path)]))[0];
        const object = { key, ...digest };
        if (writeOnce && (existed || (await this.inner.exists(key)))) {
          await pending.abort();
          return this.#compare(key, object.checksum);
        }
        try {
          await pending.commit({
            around: (publish) => {
              const recorded = recordAround === undefined ? publish : () => recordAround(object, publish);
              if (commitOptions.around) commitOptions.around(recorded);
              else recorded();
            },
          });
          // the object is published: only now may its record appear (a crash here leaves an orphan for fsck)
          if (recordAfter !== undefined) await recordAfter(object);
        } catch (err) {
          // lost a race with another writer of a write-once dataset: compare with what won
          if (writeOnce && err instanceof AlreadyExistsError) return this.#compare(key, object.checksum);
          throw err;
        }
      },
      discard: () => {
        sha.dispose();
        return pending.abort();
      },
    });
  }

  async #compare(key: string, checksum: string): Promise<void> {
    if ((await digestObject(this.inner, key)) !== checksum) {
      throw new DatasetConflictError(this.#options.datasetType, this.inner.uriOf(key));
    }
  }
}

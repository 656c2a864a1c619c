/**
 * The FITS codec's {@link ByteSource} over one object of a Storage, so FITS reads touch only the
 * bytes they need: headers for `_md`, `_bbox`, `_wcs` …, a few rows for `_sub`. On a remote storage
 * this is a few HTTP range requests instead of a download of the whole file.
 *
 * Every range of one read comes from one version of the object: the storage's
 * {@link RangedObject} pins them (an open file, `If-Match`), so a writer replacing the dataset
 * meanwhile makes the read fail with ChangedError, never return pixels of two versions.
 *
 * @packageDocumentation
 */
import { FitsError } from "../errors.js";
import type { ByteSource } from "../fits/index.js";
import type { RangedObject, Storage } from "../storage/storage.js";

/**
 * Gap a remote storage's ranged reads merge (see {@link ByteSource.mergeGap}): a ranged GET costs
 * ~5 ms on the loopback Swift (200 GETs of 64 KiB in 1.02 s, bench:pinned, 2026-12-03), in which
 * far more than 256 KiB would have streamed; a local file reads each range on its own.
 */
const REMOTE_MERGE_GAP = 256 * 1024;

/** A {@link ByteSource} over one version of one object of a Storage: every read is a pinned range. */
export class StorageByteSource implements ByteSource {
  readonly #object: RangedObject;
  readonly #what: string;
  /** Gap worth reading through: a remote storage's round trip costs more than these bytes. */
  readonly mergeGap: number;

  private constructor(object: RangedObject, what: string, mergeGap: number) {
    this.#object = object;
    this.#what = what;
    this.mergeGap = mergeGap;
  }

  /** Size of the version opened. */
  get size(): number {
    return this.#object.size;
  }

  /**
   * Opens the object's current version for ranged reads (a `stat`, or an open file); nothing is read yet.
   * @throws NotFoundError when there is no object at the key
   */
  static async open(storage: Storage, key: string): Promise<StorageByteSource> {
    return new StorageByteSource(await storage.openRanged(key), storage.uriOf(key), storage.capabilities.localPath ? 0 : REMOTE_MERGE_GAP);
  }

  /** @throws ChangedError when the object was replaced meanwhile; FitsError when it is shorter than its size said */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.#object.read(offset, length);
    if (bytes.length !== length) {
      throw new FitsError(`short read of ${this.#what}: asked ${length} bytes at ${offset}, got ${bytes.length} (did it change?)`, undefined, offset);
    }
    return bytes;
  }

  /** Releases the pinned version (an open file). */
  async close(): Promise<void> {
    await this.#object.close();
  }
}

/**
 * The FITS codec's {@link ByteSource} over one object of a Storage, so FITS reads touch only the
 * bytes they need: headers for `_md`, `_bbox`, `_wcs` …, a few rows for `_sub`. On a remote storage
 * this is a few HTTP range requests instead of a download of the whole file.
 *
 * @packageDocumentation
 */
import { FitsError } from "../errors.js";
import type { ByteSource } from "../fits/index.js";
import type { Storage } from "../storage/storage.js";

/** A {@link ByteSource} over one object of a Storage: every read is a ranged `storage.read`. */
export class StorageByteSource implements ByteSource {
  readonly #storage: Storage;
  readonly #key: string;

  private constructor(storage: Storage, key: string, readonly size: number) {
    this.#storage = storage;
    this.#key = key;
  }

  /**
   * Looks up the object's size (one `stat`); nothing is read yet.
   * @throws NotFoundError when there is no object at the key
   */
  static async open(storage: Storage, key: string): Promise<StorageByteSource> {
    return new StorageByteSource(storage, key, (await storage.stat(key)).size);
  }

  /** @throws FitsError when the object is shorter than its size said (it changed meanwhile) */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.#storage.read(this.#key, { offset, length });
    if (bytes.length !== length) {
      throw new FitsError(`short read of ${this.#storage.uriOf(this.#key)}: asked ${length} bytes at ${offset}, got ${bytes.length} (did it change?)`, undefined, offset);
    }
    return bytes;
  }
}

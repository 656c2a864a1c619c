/**
 * FITS reads that touch only the bytes they need, through the Storage API's ranged reads: headers
 * for `_md`, `_bbox`, `_wcs` …, a few rows for `_sub`. On a remote storage this is a few HTTP range
 * requests instead of a download of the whole file.
 *
 * @packageDocumentation
 */
import { FitsError } from "../errors.js";
import type { Header } from "../image/header.js";
import { openFits, type ByteSource, type FitsFile } from "../fits/index.js";
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

/**
 * Opens the FITS object at `key` for ranged reads, runs `fn`, and closes it. A gzip-compressed key
 * (`.gz`) cannot be read by range, so it goes through the storage's local file like a full read.
 * @throws NotFoundError, FitsError
 */
export async function withRangedFits<T>(storage: Storage, key: string, fn: (file: FitsFile) => Promise<T>): Promise<T> {
  if (key.endsWith(".gz")) {
    const local = await storage.getLocalFile(key);
    try {
      return await withOpen(await openFits(local.path), fn);
    } finally {
      await local.release();
    }
  }
  return withOpen(await openFits(await StorageByteSource.open(storage, key)), fn);
}

async function withOpen<T>(file: FitsFile, fn: (file: FitsFile) => Promise<T>): Promise<T> {
  try {
    return await fn(file);
  } finally {
    await file.close();
  }
}

/**
 * Every HDU's header of the FITS object at `key`, reading header blocks only (no data).
 * @throws NotFoundError, FitsError
 */
export function readFitsHeaders(storage: Storage, key: string): Promise<Header[]> {
  return withRangedFits(storage, key, async (file) => file.hdus.map((h) => h.header));
}

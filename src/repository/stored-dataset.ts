/**
 * A dataset's stored bytes, as found through a repository (the plain object or a compressed copy):
 * what it is, and a stream of it, without the caller ever learning which Storage holds it.
 *
 * @packageDocumentation
 */
import type { Readable } from "node:stream";
import type { DataId } from "../data-id.js";
import type { ByteRange } from "../storage/storage.js";

export type { ByteRange } from "../storage/storage.js";

/**
 * The stored object of a located dataset.
 *
 * ```ts
 * const stored = await butler.openStored("raw", { visit: 1, ccd: 0 });
 * console.log(stored.name, stored.size, stored.mediaType);   // v1_fg_c00.fits 7040 application/fits
 * await pipeline(await stored.open(), createWriteStream(stored.name));
 * ```
 */
export interface StoredDataset {
  /** The dataset type. */
  readonly datasetType: string;
  /** The data id, completed by the registry (e.g. with `filter`). */
  readonly dataId: Readonly<DataId>;
  /** The object's file name (the last segment of its key: `v1_fg_c00.fits`, `….fits.gz`). */
  readonly name: string;
  readonly size: number;
  readonly modified: Date;
  /** The storage's validator (changes with the content), when it has one. */
  readonly etag: string | undefined;
  /** As the formatter names it, e.g. `application/fits` (a gzip copy: `application/gzip`). */
  readonly mediaType: string;
  /**
   * A stream of the bytes, or of a range of them.
   * @throws NotFoundError when the object went away meanwhile; RangeError for a bad range
   */
  open(range?: ByteRange): Promise<Readable>;
}

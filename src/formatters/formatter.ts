/**
 * The Formatter contract: object ⇄ bytes for one storage name (`FitsStorage`, `PickleStorage` …).
 * A formatter reads and writes through the Storage API only, so it works the same on every backend.
 * It also owns what only it can know about its format: which stored copies of a dataset it can read
 * (a FITS dataset may be stored gzip- or fpack-compressed) and the read-only views it produces.
 *
 * @packageDocumentation
 */
import type { Storage } from "../storage/storage.js";
import type { TempScope } from "../temp/index.js";
import type { ButlerLocation } from "../mapper/butler-location.js";

/** Where a formatter reads from or writes to. */
export interface FormatterContext {
  /** The repository's storage. */
  storage: Storage;
  /** The key of the object in that storage (on a read: the candidate that was found). */
  key: string;
  /** The mapper's location (dataset type, python type, data id, additional data, view). */
  location: ButlerLocation;
  /** Owner of the temp files a read needs (a decompressed copy); they are released before the read returns. */
  temp: TempScope;
}

/**
 * What a formatter found in a file it checked: the dataset's metadata (for FITS the user cards of
 * the headers, as a read would give them), scalar values only.
 */
export type FileMetadata = Readonly<Record<string, string | number | boolean>>;

/** Turns objects into stored bytes and back, for one storage name. */
export interface Formatter {
  /** The policy storage name this formatter serves, e.g. `FitsStorage`. */
  readonly storageName: string;
  /**
   * The keys a dataset mapped to `key` may be stored under, in the order to try: the key itself,
   * then any compressed copies the formatter reads (Gen2's `instanceSearch`).
   */
  readCandidates(key: string): string[];
  /**
   * Reads the object at `ctx.key`, or the `ctx.location.view` of it.
   * @throws NotFoundError when there is no object; FormatterError or FitsError when it is malformed
   *   or the view does not apply
   */
  read(ctx: FormatterContext): Promise<unknown>;
  /**
   * Writes `obj` at `ctx.key` atomically: a failure leaves the previous object (if any) intact.
   * @throws FormatterError when the object is not of a type this formatter writes, or the location is a view
   */
  write(obj: unknown, ctx: FormatterContext): Promise<void>;
  /**
   * Checks that a local file holds a dataset this formatter reads — a FITS dataset must parse as
   * FITS with the HDUs a read needs — reading headers, not pixels, and returns its metadata. Stored
   * bytes are put (`putStored`) or ingested only after this check. Optional: without it, a storage
   * name accepts objects only.
   * @param datasetType - for messages
   * @throws FormatterError or FitsError when the file is not such a dataset
   */
  check?(path: string, datasetType: string): Promise<FileMetadata>;
  /**
   * The media type of the object stored at `key` (a read candidate: the plain key or a compressed
   * copy), e.g. `application/fits`. Optional: the key's extension decides otherwise.
   */
  mediaType?(key: string): string;
}

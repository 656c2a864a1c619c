/**
 * Ranged byte access to a FITS file: the only way the reader touches bytes, so a file handle now and
 * an HTTP Range client later are interchangeable.
 *
 * @packageDocumentation
 */
import { open, type FileHandle } from "node:fs/promises";
import { ClosedError, FitsError } from "../errors.js";

/**
 * Random-access bytes of known size.
 *
 * `read` must return exactly `length` bytes (or throw); the reader never asks beyond `size`.
 * `readInto`, when present, fills a caller-owned buffer: the image reader uses it to read pixels
 * straight into the destination typed array without an intermediate copy.
 */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** `length` bytes starting at `offset`. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Fills all of `target` with the bytes starting at `offset` (optional fast path). */
  readInto?(offset: number, target: Uint8Array): Promise<void>;
  /**
   * Bytes between two wanted ranges that cost less to read through than a request of their own (a
   * remote store's round trip): the image reader then asks for both ranges and the gap in one
   * read. Absent or 0 (a local file): every range is read on its own.
   */
  readonly mergeGap?: number;
  /** Releases the underlying resource; {@link FitsFile.close} calls it. */
  close?(): Promise<void>;
}

/** A single `FileHandle.read` is limited to 2 GiB - 1; larger reads are split. */
const MAX_SINGLE_READ = 1 << 30;

/**
 * A local file read with positional reads on one `FileHandle` (no shared file position, so
 * concurrent reads are safe).
 */
export class FileByteSource implements ByteSource {
  readonly #handle: FileHandle;
  readonly #path: string;
  #closed = false;

  private constructor(handle: FileHandle, readonly size: number, path: string) {
    this.#handle = handle;
    this.#path = path;
  }

  /**
   * Opens a file for reading.
   * @throws the `fs` error (ENOENT, EACCES …) when the file cannot be opened
   */
  static async open(path: string): Promise<FileByteSource> {
    const handle = await open(path, "r");
    try {
      const { size } = await handle.stat();
      return new FileByteSource(handle, size, path);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** @throws FitsError when the file is shorter than expected (it shrank after opening) */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const target = Buffer.allocUnsafe(length);
    await this.readInto(offset, target);
    return target;
  }

  /** @throws FitsError when the file is shorter than expected (it shrank after opening) */
  async readInto(offset: number, target: Uint8Array): Promise<void> {
    if (this.#closed) throw new ClosedError(`FITS file ${this.#path}`);
    let done = 0;
    while (done < target.length) {
      const want = Math.min(target.length - done, MAX_SINGLE_READ);
      const { bytesRead } = await this.#handle.read(target, done, want, offset + done);
      if (bytesRead === 0) {
        throw new FitsError(`unexpected end of file ${this.#path} (did it shrink while open?)`, undefined, offset + done);
      }
      done += bytesRead;
    }
  }

  /** Closes the file handle; later reads throw {@link ClosedError}. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }
}

/** Bytes already in memory (no copy is made; the caller must not change them while reading). */
export class MemoryByteSource implements ByteSource {
  readonly #bytes: Uint8Array;

  /** @param bytes - the whole file */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Size of the bytes. */
  get size(): number {
    return this.#bytes.length;
  }

  /** @throws FitsError when the range lies beyond the end */
  async read(offset: number, length: number): Promise<Uint8Array> {
    this.#check(offset, length);
    return this.#bytes.subarray(offset, offset + length);
  }

  /** @throws FitsError when the range lies beyond the end */
  async readInto(offset: number, target: Uint8Array): Promise<void> {
    this.#check(offset, target.length);
    target.set(this.#bytes.subarray(offset, offset + target.length));
  }

  #check(offset: number, length: number): void {
    if (offset < 0 || offset + length > this.#bytes.length) {
      throw new FitsError(`read of ${length} bytes at ${offset} is beyond the end (${this.#bytes.length} bytes)`, undefined, offset);
    }
  }
}

/**
 * Fills `target` from `source` at `offset`, through `readInto` when the source has it. A source
 * that returns the wrong number of bytes is reported as a FitsError for this HDU.
 * @throws FitsError for short reads
 */
export async function readFully(source: ByteSource, offset: number, target: Uint8Array, hdu?: number): Promise<void> {
  if (target.length === 0) return;
  if (source.readInto) {
    await source.readInto(offset, target);
    return;
  }
  const bytes = await source.read(offset, target.length);
  if (bytes.length !== target.length) {
    throw new FitsError(`short read: asked ${target.length} bytes at ${offset}, got ${bytes.length}`, hdu, offset);
  }
  target.set(bytes);
}

/**
 * Reads `length` bytes from `source` (a view of the source's buffer is fine for parsing).
 * @throws FitsError for short reads
 */
export async function readExactly(source: ByteSource, offset: number, length: number, hdu?: number): Promise<Uint8Array> {
  const bytes = await source.read(offset, length);
  if (bytes.length !== length) {
    throw new FitsError(`short read: asked ${length} bytes at ${offset}, got ${bytes.length}`, hdu, offset);
  }
  return bytes;
}

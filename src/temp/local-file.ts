/**
 * Reference-counted local files: the handle type every Storage returns from `getLocalFile` and the
 * counting that decides when a temporary file is deleted.
 *
 * @packageDocumentation
 */
import { unlinkSync } from "node:fs";

/**
 * A lease on a local file. The file stays valid until every lease on it is released.
 *
 * ```ts
 * const file = await storage.getLocalFile("raw/v1.fits");
 * try { readFits(file.path); } finally { await file.release(); }
 * ```
 */
export interface LocalFile {
  /** Absolute path of the file on the local filesystem. */
  readonly path: string;
  /** Whether this lease has been released. */
  readonly released: boolean;
  /** Takes another lease on the same file (the count goes up by one). @throws Error if this lease was released */
  retain(): LocalFile;
  /** Gives this lease back; the last release of a temp file deletes it. Releasing twice is a no-op. */
  release(): Promise<void>;
  /** `await using file = await storage.getLocalFile(key)` releases it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of {@link RefCountedFile}. */
export interface RefCountedFileOptions {
  /** Delete the file when the count reaches zero (true for temp files, false for repository files). */
  deleteOnZero: boolean;
  /** Called once when the count reaches zero or the file is discarded. */
  onZero?: (file: RefCountedFile) => void;
}

/**
 * A file with a count of leases. Created with no leases: call {@link RefCountedFile.acquire}.
 */
export class RefCountedFile {
  #count = 0;
  #closed = false;
  readonly #options: RefCountedFileOptions;

  /** @param path - absolute path; @param options - whether to delete it at zero */
  constructor(
    readonly path: string,
    options: RefCountedFileOptions,
  ) {
    this.#options = options;
  }

  /** Number of live leases. */
  get refs(): number {
    return this.#count;
  }

  /** Whether the file was deleted or discarded; no more leases can be taken. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Takes a new lease. @throws Error when the file was already discarded */
  acquire(): LocalFile {
    if (this.#closed) throw new Error(`local file ${this.path} was already released`);
    this.#count++;
    return new Lease(this);
  }

  /** @internal called by a lease */
  releaseOne(): void {
    if (this.#closed) return;
    this.#count--;
    if (this.#count <= 0) this.discard();
  }

  /**
   * Ends the file's life now, whatever the count: deletes it if it is a temp file. Outstanding
   * leases become inert. Used by scope close (`butler.close()`) and at process exit.
   */
  discard(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#count = 0;
    if (this.#options.deleteOnZero) {
      try {
        unlinkSync(this.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    this.#options.onZero?.(this);
  }
}

class Lease implements LocalFile {
  #released = false;
  constructor(readonly file: RefCountedFile) {}

  get path(): string {
    return this.file.path;
  }

  get released(): boolean {
    return this.#released;
  }

  retain(): LocalFile {
    if (this.#released) throw new Error(`cannot retain a released lease on ${this.path}`);
    return this.file.acquire();
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.file.releaseOne();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

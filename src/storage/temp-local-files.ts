/**
 * Local files for a storage whose objects are not local files (SwiftStorage, and any remote
 * backend): `getLocalFile` downloads into a refcounted temp file that concurrent callers share,
 * `createLocalFile` hands out a temp file that `commit` uploads. Either way the temp file lives
 * exactly as long as someone holds it and is deleted on the last release, on scope close, or at exit.
 *
 * @packageDocumentation
 */
import { extname } from "node:path";
import type { LocalFile, RefCountedFile, TempScope } from "../temp/index.js";
import { pendingLocalFile } from "./pending-file.js";
import type { PendingLocalFile, WriteOptions } from "./storage.js";

/** How the backend moves bytes between an object and a local file. */
export interface TempLocalFileOps {
  /** Writes the object's bytes into the (existing, empty) file at `path`. @throws NotFoundError */
  download(key: string, path: string): Promise<void>;
  /**
   * Stores the file at `path` as the object at `key`, atomically. `observed` is the observer made
   * by {@link TempLocalFileOps.observer} for this file, fed by the writer (if it did).
   */
  upload(path: string, key: string, options: WriteOptions, observed?: ContentObserver): Promise<void>;
  /** Makes an observer for a new pending file, when the upload needs checksums of the content. */
  observer?(): ContentObserver;
}

/** Something that sees a file's bytes as they are written (see `PendingLocalFile.observe`). */
export interface ContentObserver {
  update(bytes: Uint8Array): void;
}

/**
 * Shared downloads and pending uploads through temp files of one scope.
 *
 * ```ts
 * const files = new TempLocalFiles(scope, { download: (k, p) => http.getToFile(k, p), upload: … });
 * const f = await files.get("raw/v1.fits");   // a second concurrent get shares the download
 * await f.release();                           // deleted here if nobody else holds it
 * ```
 */
export class TempLocalFiles {
  readonly #scope: TempScope;
  readonly #ops: TempLocalFileOps;
  readonly #downloads = new Map<string, Promise<RefCountedFile>>();

  /** @param scope - owner of the temp files; @param ops - the backend's transfers */
  constructor(scope: TempScope, ops: TempLocalFileOps) {
    this.#scope = scope;
    this.#ops = ops;
  }

  /** Keys with a download held or in flight (for tests and diagnostics). */
  get cachedKeys(): string[] {
    return [...this.#downloads.keys()];
  }

  /**
   * A lease on a local copy of the object; one download serves every caller that asks while a
   * copy is held or being fetched.
   * @throws whatever the download throws (NotFoundError …); no temp file is left behind
   */
  async get(key: string): Promise<LocalFile> {
    for (;;) {
      let pending = this.#downloads.get(key);
      if (pending === undefined) {
        pending = this.#download(key);
        this.#downloads.set(key, pending);
      }
      let file: RefCountedFile;
      try {
        file = await pending;
      } catch (err) {
        if (this.#downloads.get(key) === pending) this.#downloads.delete(key);
        throw err;
      }
      // Every holder may have released it between the download's end and this continuation:
      // then it is gone and a fresh download is needed.
      if (!file.closed) return file.acquire();
      if (this.#downloads.get(key) === pending) this.#downloads.delete(key);
    }
  }

  async #download(key: string): Promise<RefCountedFile> {
    // assigned once the entry exists; the delete hook below may run only after that
    // eslint-disable-next-line prefer-const
    let entry: Promise<RefCountedFile> | undefined;
    const file = await this.#scope.createShared({
      suffix: extname(key),
      prefix: "download",
      onDelete: () => {
        if (entry !== undefined && this.#downloads.get(key) === entry) this.#downloads.delete(key);
      },
    });
    entry = this.#downloads.get(key);
    try {
      await this.#ops.download(key, file.path);
    } catch (err) {
      file.discard();
      throw err;
    }
    return file;
  }

  /**
   * A temp file to write; `commit` uploads it as the object at `key` and deletes it, `abort` (or
   * leaving an `await using` block without commit) just deletes it.
   */
  async create(key: string, options: WriteOptions & { suffix?: string } = {}): Promise<PendingLocalFile> {
    const { suffix = extname(key), ...writeOptions } = options;
    const lease = await this.#scope.createFile({ suffix, prefix: "upload" });
    const ops = this.#ops;
    const observer = ops.observer?.();
    return pendingLocalFile({
      path: lease.path,
      ...(observer === undefined ? {} : { observe: (bytes: Uint8Array) => observer.update(bytes) }),
      async publish(commitOptions) {
        await ops.upload(lease.path, key, writeOptions, observer);
        // an upload cannot run inside a synchronous critical section: publish first, then let
        // the caller record it (see CommitOptions.around)
        commitOptions.around?.(() => undefined);
      },
      discard: () => lease.release(),
    });
  }
}

/**
 * The {@link PendingLocalFile} of PosixStorage: the temp file beside the destination itself, so a
 * commit is a rename — no copy, whatever the size.
 *
 * @packageDocumentation
 */
import type { CommitOptions, PendingLocalFile } from "../storage.js";
import type { AtomicWrite } from "./atomic-write.js";

/** A pending write whose temp file the caller fills by path. */
export class PosixPendingFile implements PendingLocalFile {
  readonly #write: AtomicWrite;
  readonly #ifAbsent: boolean;
  readonly #durable: boolean;
  readonly #onEnd: (file: PosixPendingFile, committed: boolean) => Promise<void>;

  /**
   * @param write - the atomic write whose temp file is handed out (its handle already closed)
   * @param options - `ifAbsent` (checked at commit, race-free), `durable` (fsync at commit, default true)
   * @param onEnd - told once when the file is committed or aborted (the storage forgets it, prunes dirs)
   */
  constructor(write: AtomicWrite, options: { ifAbsent: boolean; durable: boolean }, onEnd: (file: PosixPendingFile, committed: boolean) => Promise<void>) {
    this.#write = write;
    this.#ifAbsent = options.ifAbsent;
    this.#durable = options.durable;
    this.#onEnd = onEnd;
  }

  /** The temp file to write: `.<name>.<random>.tmp<suffix>` beside the destination. */
  get path(): string {
    return this.#write.tempPath;
  }

  /**
   * Publishes the file at the key: fsync, rename (or link with `ifAbsent`) — inside `options.around`
   * when given — then fsync the directory.
   * On failure the temp file is removed and the pending file is over.
   * @throws AlreadyExistsError with `ifAbsent` when the key exists at commit time
   * @throws PermissionDeniedError when the directory refuses the rename
   * @throws Error when already committed or aborted
   */
  async commit(options: CommitOptions = {}): Promise<void> {
    if (this.#write.done) throw new Error(`pending file ${this.path} was already committed or aborted`);
    let committed = false;
    try {
      await this.#write.commit(this.#ifAbsent, options.around, this.#durable);
      committed = true;
    } finally {
      await this.#onEnd(this, committed);
    }
  }

  /** Removes the temp file; a no-op after a commit or an abort. */
  async abort(): Promise<void> {
    if (this.#write.done) return;
    await this.#write.abort();
    await this.#onEnd(this, false);
  }

  /** Aborts unless committed, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.abort();
  }
}

/**
 * The one state machine of every {@link PendingLocalFile}: a file that becomes an object only on
 * `commit`, exactly once; `abort` (and leaving an `await using` block without a commit) discards
 * it and may be called any number of times; a failed commit discards it too. Backends supply only
 * how to publish and how to discard.
 *
 * @packageDocumentation
 */
import type { CommitOptions, PendingLocalFile } from "./storage.js";

/** What makes one kind of pending file. */
export interface PendingFileParts {
  /** The local path the writer fills. */
  path: string;
  /** The content observer the commit's checksums need, if any (see `PendingLocalFile.observe`). */
  observe?: (bytes: Uint8Array) => void | Promise<void>;
  /**
   * Publishes the file as the object (a rename, an upload); on failure it has left the object as it
   * was. The file is discarded afterwards either way, by {@link PendingFileParts.discard}.
   */
  publish(options: CommitOptions): Promise<void>;
  /** Removes the local file (or gives back its lease); must tolerate a file a publish moved away. */
  discard(): Promise<void>;
  /** Told once, after the pending file ended: `committed` says how. */
  onEnd?(committed: boolean): void | Promise<void>;
}

/**
 * A pending local file from its parts.
 *
 * ```ts
 * return pendingLocalFile({ path: lease.path, publish: () => upload(lease.path, key), discard: () => lease.release() });
 * ```
 */
export function pendingLocalFile(parts: PendingFileParts): PendingLocalFile {
  let state: "open" | "committing" | "ended" = "open";
  const end = async (committed: boolean): Promise<void> => {
    state = "ended";
    try {
      await parts.discard();
    } finally {
      await parts.onEnd?.(committed);
    }
  };
  const abort = async (): Promise<void> => {
    // an abort during a commit (a storage closing) leaves the commit to finish or fail by itself
    if (state === "open") await end(false);
  };
  return {
    path: parts.path,
    ...(parts.observe === undefined ? {} : { observe: parts.observe }),
    async commit(options: CommitOptions = {}) {
      if (state !== "open") throw new Error(`pending file ${parts.path} was already committed or aborted`);
      state = "committing";
      let committed = false;
      try {
        await parts.publish(options);
        committed = true;
      } finally {
        await end(committed);
      }
    },
    abort,
    [Symbol.asyncDispose]: abort,
  };
}

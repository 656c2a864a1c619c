/**
 * The {@link PendingLocalFile} of PosixStorage: the temp file beside the destination itself, so a
 * commit is a rename — no copy, whatever the size.
 *
 * @packageDocumentation
 */
import { pendingLocalFile } from "../pending-file.js";
import type { PendingLocalFile } from "../storage.js";
import type { AtomicWrite } from "./atomic-write.js";

/**
 * A pending write whose temp file (`.<name>.<random>.tmp<suffix>` beside the destination) the
 * caller fills by path. The commit is fsync, rename (or link with `ifAbsent`, race-free) — inside
 * `options.around` when given — then fsync of the directory; without `durable`, no fsyncs (still
 * atomic).
 * @param write - the atomic write whose temp file is handed out (its handle already closed)
 * @param options - `ifAbsent` (checked at commit: AlreadyExistsError when the key exists then), `durable`
 * @param onEnd - told once when the file is committed or aborted (the storage forgets it, prunes dirs)
 */
export function posixPendingFile(write: AtomicWrite, options: { ifAbsent: boolean; durable: boolean }, onEnd: (file: PendingLocalFile, committed: boolean) => Promise<void>): PendingLocalFile {
  const file: PendingLocalFile = pendingLocalFile({
    path: write.tempPath,
    publish: (commit) => write.commit(options.ifAbsent, commit.around, options.durable),
    discard: () => write.abort(),
    onEnd: (committed) => onEnd(file, committed),
  });
  return file;
}

/**
 * Pending local files a storage must discard on close: each is in the set from creation until
 * its commit or abort.
 *
 * @packageDocumentation
 */
import { pendingLocalFile } from "./pending-file.js";
import type { PendingLocalFile } from "./storage.js";

/**
 * Wraps a pending file so that it sits in `pending` until committed or aborted; `close()` of the
 * storage aborts whatever is still there.
 */
export function tracked(inner: PendingLocalFile, pending: Set<PendingLocalFile>): PendingLocalFile {
  const file: PendingLocalFile = pendingLocalFile({
    path: inner.path,
    ...(inner.observe === undefined ? {} : { observe: inner.observe }),
    publish: (options) => inner.commit(options),
    discard: () => inner.abort(),
    onEnd: () => void pending.delete(file),
  });
  pending.add(file);
  return file;
}

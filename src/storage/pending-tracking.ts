/**
 * Pending local files a storage must discard on close: each is in the set from creation until
 * its commit or abort.
 *
 * @packageDocumentation
 */
import type { PendingLocalFile } from "./storage.js";

/**
 * Wraps a pending file so that it sits in `pending` until committed or aborted; `close()` of the
 * storage aborts whatever is still there.
 */
export function tracked(inner: PendingLocalFile, pending: Set<PendingLocalFile>): PendingLocalFile {
  const file: PendingLocalFile = {
    path: inner.path,
    ...(inner.observe === undefined ? {} : { observe: inner.observe }),
    async commit(...args: Parameters<PendingLocalFile["commit"]>) {
      try {
        await inner.commit(...args);
      } finally {
        pending.delete(file);
      }
    },
    async abort() {
      pending.delete(file);
      await inner.abort();
    },
    async [Symbol.asyncDispose]() {
      pending.delete(file);
      await inner[Symbol.asyncDispose]();
    },
  };
  pending.add(file);
  return file;
}

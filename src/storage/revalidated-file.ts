/**
 * Local copies of remote objects that are opened again and again (a repository's registries),
 * kept in the process's {@link downloadCache} and revalidated with one conditional request instead
 * of being downloaded again. Shared by every remote backend (Swift, a skybutler server): each one
 * only says how to ask its server.
 *
 * @packageDocumentation
 */
import { NotFoundError, StorageError } from "../errors.js";
import type { LocalFile } from "../temp/index.js";
import { downloadCache } from "./download-cache.js";

/** What the server answered to a (conditional) GET. */
export type Revalidation =
  /** 304: the cached copy is current; `done` releases the response. */
  | { notModified: true; done(): Promise<void> }
  /**
   * 200: `receive` writes the body into the existing, empty file at `path`, checks it, and returns
   * its validator (undefined when the server gave none: then the copy is handed out uncached) and
   * size; `cancel` drops the response unread.
   */
  | { notModified: false; receive(path: string): Promise<{ etag: string | undefined; size: number }>; cancel(): Promise<void> };

/**
 * A lease on a local copy of an object from the process's download cache. When a copy is cached,
 * `fetch` is called with its validator (to send `If-None-Match`): "not modified" reuses it, a body
 * replaces it; otherwise `fetch` gets undefined and must download. Revalidations of one `id` are
 * serialised, so concurrent opens share one download.
 *
 * ```ts
 * const lease = await revalidatedLocalFile(`${serverUrl}/${key}`, ".sqlite3", async (etag) => ask(etag));
 * ```
 * @param id - what identifies the object across storages (server URL + container/repository + key)
 * @param suffix - file name suffix of the copy (e.g. `.sqlite3`)
 * @param fetch - sends the GET, conditional when given a validator
 * @throws what `fetch` or `receive` throw; a NotFoundError also drops the cached copy
 */
export async function revalidatedLocalFile(id: string, suffix: string, fetch: (etag: string | undefined) => Promise<Revalidation>): Promise<LocalFile> {
  return downloadCache.lock.run(id, async () => {
    const cached = downloadCache.lookup(id);
    let answer: Revalidation;
    try {
      answer = await fetch(cached?.etag);
    } catch (err) {
      if (err instanceof NotFoundError) downloadCache.evict(id);
      throw err;
    }
    if (answer.notModified) {
      await answer.done();
      // only a conditional request can be answered "not modified"; anything else is the server's mistake
      if (cached === undefined) throw new StorageError(`the server answered "not modified" for ${id} to an unconditional GET`);
      return cached.file.acquire();
    }
    const file = await downloadCache.createFile(suffix).catch(async (err: unknown) => {
      await answer.cancel();
      throw err;
    });
    const lease = file.acquire();
    try {
      const { etag, size } = await answer.receive(file.path);
      // without a validator there is nothing to revalidate with: hand it out uncached
      if (etag !== undefined) downloadCache.store(id, { etag, file, size });
      return lease;
    } catch (err) {
      file.discard();
      throw err;
    }
  });
}

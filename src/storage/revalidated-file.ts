/**
 * Local copies of remote objects that are opened again and again (a repository's registries),
 * kept in the user's disk cache (`$XDG_CACHE_HOME/skybutler/registries`, a {@link DiskObjectCache}
 * like `skybutler:cache`'s) and revalidated with one conditional request instead of being
 * downloaded again — by this process and by the next one. Shared by every remote backend (Swift, a
 * skybutler server): each one only says how to ask its server. Nothing is left in the temp
 * directory: a copy handed out is a hard link in the cache's `leases/`, removed on release.
 *
 * @packageDocumentation
 */
import { join } from "node:path";
import { ChangedError, NotFoundError, StorageError } from "../errors.js";
import { TempScope, type LocalFile } from "../temp/index.js";
import { DiskObjectCache } from "./disk-object-cache.js";
import { KeyLock } from "./key-lock.js";
import { skybutlerCacheDir } from "./modules/modules-file.js";

/** What the server answered to a (conditional) GET. */
export type Revalidation =
  /** 304: the cached copy is current; `done` releases the response. */
  | { notModified: true; done(): Promise<void> }
  /**
   * 200: `etag` and `size` as the response's headers give them (undefined when absent);
   * `receive` writes the body into the existing, empty file at `path`, checks it, and returns its
   * validator and size; `cancel` drops the response unread.
   */
  | {
      notModified: false;
      etag: string | undefined;
      size: number | undefined;
      receive(path: string): Promise<{ etag: string | undefined; size: number }>;
      cancel(): Promise<void>;
    };

/** Most bytes of registries kept on disk (least recently used go first). */
const MAX_BYTES = 1024 ** 3;

const caches = new Map<string, DiskObjectCache>();
/** Serialises revalidations of one object within the process (the cache's lock files do it between processes). */
const lock = new KeyLock();
let uncached: TempScope | undefined;

/** The registry cache below `$XDG_CACHE_HOME/skybutler` (read at each call: tests move it). */
export function registryCache(): DiskObjectCache {
  const dir = join(skybutlerCacheDir(), "registries");
  let cache = caches.get(dir);
  if (cache === undefined) {
    cache = new DiskObjectCache(dir, MAX_BYTES);
    caches.set(dir, cache);
  }
  return cache;
}

/** A download handed out uncached (no validator, or larger than the cache): a temp file deleted on release. */
async function downloadUncached(answer: Extract<Revalidation, { notModified: false }>, suffix: string): Promise<LocalFile> {
  uncached ??= new TempScope();
  const file = await uncached.createShared({ prefix: "download", suffix }).catch(async (err: unknown) => {
    await answer.cancel();
    throw err;
  });
  const lease = file.acquire();
  try {
    await answer.receive(file.path);
    return lease;
  } catch (err) {
    file.discard();
    throw err;
  }
}

/**
 * A lease on a local copy of an object from the user's disk cache. When a copy is cached, `fetch`
 * is called with its validator (to send `If-None-Match`): "not modified" reuses it, a body
 * replaces it; otherwise `fetch` gets undefined and must download. Concurrent opens (threads of
 * this process, or other processes) share one download.
 *
 * ```ts
 * const lease = await revalidatedLocalFile(`${serverUrl}/${key}`, ".sqlite3", async (etag) => ask(etag));
 * ```
 * @param id - what identifies the object across storages and processes (server URL + container/repository + key; no secret)
 * @param suffix - file name suffix of an uncached copy (e.g. `.sqlite3`)
 * @param fetch - sends the GET, conditional when given a validator
 * @throws what `fetch` or `receive` throw (a NotFoundError also drops the cached copy);
 *   StorageError E_CHANGED when the object changed during the download, E_TIMEOUT when another
 *   process holds the cache entry too long
 */
export async function revalidatedLocalFile(id: string, suffix: string, fetch: (etag: string | undefined) => Promise<Revalidation>): Promise<LocalFile> {
  const cache = registryCache();
  return lock.run(id, async () => {
    // a second round only when the cached copy vanished (evicted, replaced) between answer and lease
    for (let round = 0; ; round++) {
      const cached = round === 0 ? await cache.current(id) : undefined;
      let answer: Revalidation;
      try {
        answer = await fetch(cached?.etag);
      } catch (err) {
        if (err instanceof NotFoundError) await cache.invalidate(id);
        throw err;
      }
      if (answer.notModified) {
        await answer.done();
        // only a conditional request can be answered "not modified"; anything else is the server's mistake
        if (cached === undefined) throw new StorageError(`the server answered "not modified" for ${id} to an unconditional GET`);
        const lease = await cache.leaseValid(id, cached.etag);
        if (lease !== undefined) return lease;
        continue;
      }
      const fresh = answer;
      if (fresh.etag === undefined) return downloadUncached(fresh, suffix);
      let filled = false;
      let path: string | undefined;
      try {
        path = await cache.entry(id, fresh.etag, fresh.size ?? 0, async (into) => {
          filled = true;
          const { etag } = await fresh.receive(into);
          if (etag !== fresh.etag) throw new ChangedError(`${id} changed while it was being downloaded; try again`);
        });
      } catch (err) {
        if (!filled) await fresh.cancel();
        throw err;
      }
      // larger than the cache: handed out, not kept
      if (path === undefined) return downloadUncached(fresh, suffix);
      // another process filled the same version while this one waited: its body is not needed
      if (!filled) await fresh.cancel();
      const lease = await cache.leaseValid(id, fresh.etag);
      if (lease !== undefined) return lease;
      if (round > 0) throw new ChangedError(`the cached copy of ${id} was evicted twice while it was being opened; the cache (${cache.dir}) may be too small`);
    }
  });
}

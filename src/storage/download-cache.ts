/**
 * A small process-wide cache of validated downloads: the objects a Repository opens every time it
 * is instantiated (its `registry.sqlite3`, `calibRegistry.sqlite3`). A reopened SwiftStorage asks
 * the server with `If-None-Match: <etag>` and, on 304, hands out a new lease on the file it already
 * has — one request, no download.
 *
 * @packageDocumentation
 */
import { TempScope, type RefCountedFile } from "../temp/index.js";
import { KeyLock } from "./key-lock.js";

/** One cached object: the file holds the bytes whose ETag is `etag`. */
export interface CachedDownload {
  etag: string;
  file: RefCountedFile;
  size: number;
}

/** Bounds of the cache. */
export interface DownloadCacheLimits {
  /** Most objects kept. */
  maxEntries: number;
  /** Most bytes kept; a single larger object is handed out but not kept. */
  maxBytes: number;
}

/**
 * Validated downloads by identity (account URL + container + object name), least recently used
 * first. The cache holds one lease on each file it keeps, so the file outlives the storage that
 * downloaded it; callers take their own leases. Its temp files live in their own scope, in the
 * process's temp root, and are deleted on eviction (once no caller holds them), on
 * {@link DownloadCache.clear}, and at process exit.
 *
 * ```ts
 * const hit = downloadCache.lookup(id);          // then GET with If-None-Match: hit.etag
 * const lease = hit.file.acquire();               // on 304
 * ```
 */
export class DownloadCache {
  readonly #limits: DownloadCacheLimits;
  /** Map order is recency: the first entry is the least recently used. */
  readonly #entries = new Map<string, CachedDownload>();
  readonly #leases = new Map<string, { release(): Promise<void> }>();
  #scope: TempScope | undefined;
  #bytes = 0;
  /** Serialises revalidations of one object, so concurrent opens share one download. */
  readonly lock = new KeyLock();

  /** @param limits - how many objects and bytes to keep */
  constructor(limits: DownloadCacheLimits) {
    this.#limits = limits;
  }

  /** Number of objects kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /** A new, empty temp file of the cache's own scope, with no lease yet. @throws the fs error */
  async createFile(suffix: string): Promise<RefCountedFile> {
    this.#scope ??= new TempScope();
    return this.#scope.createShared({ prefix: "cached", suffix });
  }

  /** The entry for an object, now the most recently used; undefined when absent or deleted. */
  lookup(id: string): CachedDownload | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.file.closed) {
      this.evict(id);
      return undefined;
    }
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry;
  }

  /**
   * Keeps a freshly validated download (replacing an older one, whose file lives on while others
   * hold it), then evicts the least recently used entries beyond the bounds.
   */
  store(id: string, entry: CachedDownload): void {
    this.evict(id);
    if (entry.size > this.#limits.maxBytes) return;
    this.#leases.set(id, entry.file.acquire());
    this.#entries.set(id, entry);
    this.#bytes += entry.size;
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#limits.maxEntries && this.#bytes <= this.#limits.maxBytes) break;
      this.evict(oldest);
    }
  }

  /** Forgets an object and gives back the cache's lease on its file. */
  evict(id: string): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    this.#bytes -= entry.size;
    const lease = this.#leases.get(id);
    this.#leases.delete(id);
    void lease?.release();
  }

  /** Forgets everything; files nobody else holds are deleted now. */
  clear(): void {
    for (const id of [...this.#entries.keys()]) this.evict(id);
  }
}

/** The process's cache: 32 objects, 1 GiB. */
export const downloadCache = new DownloadCache({ maxEntries: 32, maxBytes: 1024 ** 3 });

/**
 * Empties the process's download cache: its temp files are deleted unless an open registry still
 * holds them (then on that registry's close). For tests that count temp files, and for long-lived
 * processes that want the disk back.
 */
export function clearDownloadCache(): void {
  downloadCache.clear();
}

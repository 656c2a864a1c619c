/**
 * A bounded cache of remote objects on local disk, shared by every process of the user:
 *
 *   DIR/objects/<id>        the bytes (id = SHA-256 of the object's URI); mtime = last use
 *   DIR/objects/<id>.json   \{uri, etag, size\}: which version the bytes are
 *   DIR/objects/<id>.lock   while one process fills or removes the entry (see file-lock.ts)
 *   DIR/leases/<id>.<pid>.<rand>   a hard link per handed-out local file
 *
 * An entry is used only when its ETag is the object's current one (revalidation). Eviction removes
 * the least recently used entries until the total is within `maxBytes`; a local file handed out
 * earlier is a hard link, so evicting its entry never pulls a file from under a reader (sqlite
 * opening a registry by path). Leases are removed on release, on close, at exit, and — left by a
 * process that died — by the next eviction.
 *
 * @packageDocumentation
 */
import { createHash, randomBytes } from "node:crypto";
import { link, mkdir, open, readdir, readFile, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { onProcessExit, processAlive, RefCountedFile, type LocalFile } from "../temp/index.js";
import { acquireFileLock, withFileLock } from "./file-lock.js";

/** What an entry records about the bytes it holds. */
interface EntryMeta {
  uri: string;
  etag: string;
  size: number;
}

/** Figures of {@link DiskObjectCache.figures}. */
export interface CacheFigures {
  dir: string;
  maxBytes: number;
  entries: number;
  bytes: number;
  /** Of this process: uses of a valid entry, and fills. */
  hits: number;
  misses: number;
}


/** Remote objects cached on disk, LRU by bytes, safe between processes. */
export class DiskObjectCache {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #objects: string;
  readonly #leases: string;
  readonly #live = new Set<RefCountedFile>();
  readonly #unregister: () => void;
  #hits = 0;
  #misses = 0;

  /** @param dir - the cache directory (made when missing, mode 0700); @param maxBytes - the bound */
  constructor(dir: string, maxBytes: number) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.#objects = join(dir, "objects");
    this.#leases = join(dir, "leases");
    this.#unregister = onProcessExit(() => this.#discardLeases());
  }

  /** The id of an object URI. */
  static idOf(uri: string): string {
    return createHash("sha256").update(uri).digest("hex");
  }

  async #ready(): Promise<void> {
    await mkdir(this.#objects, { recursive: true, mode: 0o700 });
    await mkdir(this.#leases, { recursive: true, mode: 0o700 });
  }

  async #meta(id: string): Promise<EntryMeta | undefined> {
    try {
      return JSON.parse(await readFile(join(this.#objects, `${id}.json`), "utf8")) as EntryMeta;
    } catch {
      return undefined;
    }
  }

  /** The path of a valid entry for (uri, etag), marked as just used; undefined when there is none. */
  async #valid(id: string, uri: string, etag: string): Promise<string | undefined> {
    const meta = await this.#meta(id);
    if (meta === undefined || meta.uri !== uri || meta.etag !== etag) return undefined;
    const path = join(this.#objects, id);
    try {
      const info = await stat(path);
      if (info.size !== meta.size) return undefined;
      const now = new Date();
      await utimes(path, now, now);
      return path;
    } catch {
      return undefined;
    }
  }

  /** The path of a valid entry for (uri, etag), without filling one; undefined when there is none. */
  async lookup(uri: string, etag: string): Promise<string | undefined> {
    const hit = await this.#valid(DiskObjectCache.idOf(uri), uri, etag);
    if (hit !== undefined) this.#hits++;
    return hit;
  }

  /**
   * The version of the object the cache holds for `uri` (to revalidate it with `If-None-Match`),
   * whatever its ETag; undefined when there is none or its bytes are incomplete.
   */
  async current(uri: string): Promise<{ etag: string; size: number } | undefined> {
    const meta = await this.#meta(DiskObjectCache.idOf(uri));
    if (meta === undefined || meta.uri !== uri) return undefined;
    try {
      return (await stat(join(this.#objects, DiskObjectCache.idOf(uri)))).size === meta.size ? { etag: meta.etag, size: meta.size } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * A lease (see {@link DiskObjectCache.lease}) on the entry of (uri, etag) if it is valid, taken
   * under the entry's lock so that a process refilling it cannot swap the bytes between the check
   * and the link; undefined when the entry is gone or holds another version.
   * @throws StorageError E_TIMEOUT when the entry stays locked; the fs error of the link
   */
  async leaseValid(uri: string, etag: string): Promise<LocalFile | undefined> {
    await this.#ready();
    const id = DiskObjectCache.idOf(uri);
    return withFileLock(join(this.#objects, id), async () => {
      const path = await this.#valid(id, uri, etag);
      if (path === undefined) return undefined;
      this.#hits++;
      return this.lease(path);
    });
  }

  /**
   * The cached bytes of (uri, etag), filled by `fill(path)` when absent or stale. Concurrent
   * processes asking for the same entry fill it once. Objects larger than the bound are not kept:
   * then undefined is returned and nothing is left.
   * @returns the entry's path (valid until evicted: take a lease to keep it), or undefined
   * @throws what `fill` throws (nothing is kept), StorageError E_TIMEOUT when the entry stays locked
   */
  async entry(uri: string, etag: string, size: number, fill: (path: string) => Promise<void>): Promise<string | undefined> {
    if (size > this.maxBytes) return undefined;
    await this.#ready();
    const id = DiskObjectCache.idOf(uri);
    const hit = await this.#valid(id, uri, etag);
    if (hit !== undefined) {
      this.#hits++;
      return hit;
    }
    const path = await withFileLock(join(this.#objects, id), async () => {
      const again = await this.#valid(id, uri, etag); // filled by another process while we waited
      if (again !== undefined) {
        this.#hits++;
        return again;
      }
      this.#misses++;
      const temp = join(this.#objects, `.${id}.${randomBytes(6).toString("hex")}.tmp`);
      try {
        await (await open(temp, "wx", 0o600)).close();
        await fill(temp);
        const metaTemp = `${temp}.json`;
        const handle = await open(metaTemp, "wx", 0o600);
        await handle.writeFile(JSON.stringify({ uri, etag, size: (await stat(temp)).size } satisfies EntryMeta));
        await handle.close();
        // the meta is replaced last: a reader that sees the new meta also sees the new bytes
        await rename(temp, join(this.#objects, id));
        await rename(metaTemp, join(this.#objects, `${id}.json`));
      } finally {
        await rm(temp, { force: true });
        await rm(`${temp}.json`, { force: true });
      }
      return join(this.#objects, id);
    });
    await this.evict();
    return path;
  }

  /**
   * A local file of the entry: a hard link under DIR/leases, removed on the last release (or close,
   * or exit); eviction of the entry leaves it alone.
   * @throws the fs error when the entry vanished meanwhile (ENOENT)
   */
  async lease(entryPath: string): Promise<LocalFile> {
    const name = `${entryPath.slice(entryPath.lastIndexOf("/") + 1)}.${process.pid}.${randomBytes(6).toString("hex")}`;
    const path = join(this.#leases, name);
    await link(entryPath, path);
    const file = new RefCountedFile(path, { deleteOnZero: true, onZero: (f) => this.#live.delete(f) });
    this.#live.add(file);
    return file.acquire();
  }

  /** Drops the entry of a URI (its object was replaced or deleted). */
  async invalidate(uri: string): Promise<void> {
    const id = DiskObjectCache.idOf(uri);
    try {
      await stat(join(this.#objects, `${id}.json`));
    } catch {
      return;
    }
    await withFileLock(join(this.#objects, id), async () => {
      await rm(join(this.#objects, `${id}.json`), { force: true });
      await rm(join(this.#objects, id), { force: true });
    });
  }

  /**
   * Removes least recently used entries until the total is within the bound, skipping entries
   * being filled; removes leases of processes that are gone.
   */
  async evict(): Promise<void> {
    await this.#ready();
    const entries: Array<{ id: string; size: number; used: number }> = [];
    for (const name of await readdir(this.#objects)) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      try {
        const info = await stat(join(this.#objects, name));
        entries.push({ id: name, size: info.size, used: info.mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    entries.sort((a, b) => a.used - b.used);
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      let release: (() => Promise<void>) | undefined;
      try {
        release = await acquireFileLock(join(this.#objects, e.id), { timeoutMs: 0 });
      } catch {
        continue; // being filled or removed by someone else
      }
      try {
        await rm(join(this.#objects, `${e.id}.json`), { force: true });
        await rm(join(this.#objects, e.id), { force: true });
        total -= e.size;
      } finally {
        await release();
      }
    }
    for (const name of await readdir(this.#leases)) {
      const pid = Number(name.split(".")[1]);
      if (pid !== process.pid && Number.isInteger(pid) && pid > 0 && !processAlive(pid)) await rm(join(this.#leases, name), { force: true });
    }
  }

  /** Entries, bytes and this process's hits and misses. */
  async figures(): Promise<CacheFigures> {
    let entries = 0;
    let bytes = 0;
    try {
      for (const name of await readdir(this.#objects)) {
        if (!/^[0-9a-f]{64}$/.test(name)) continue;
        try {
          bytes += (await stat(join(this.#objects, name))).size;
          entries++;
        } catch {
          // removed meanwhile
        }
      }
    } catch {
      // not made yet
    }
    return { dir: this.dir, maxBytes: this.maxBytes, entries, bytes, hits: this.#hits, misses: this.#misses };
  }

  #discardLeases(): void {
    for (const file of [...this.#live]) file.discard();
    this.#live.clear();
  }

  /** Removes this process's leases (their readers are done: the storage closes). */
  close(): void {
    this.#discardLeases();
    this.#unregister();
  }
}

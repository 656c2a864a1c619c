/**
 * Storlet code fetched from where it is deployed, kept on the local disk of the node that runs it:
 * one file per object version (its ETag in the name), in directories only the server's user can
 * read — upstream's CVE-2024-28717 was cached code readable, and then writable, by others. A new
 * version of a storlet *or of a dependency* is fetched on its next run (upstream never notices a
 * dependency's update).
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** A cache of deployed code below a directory of its own. */
export class CodeCache {
  readonly #dir: string;
  readonly #inflight = new Map<string, Promise<string>>();

  /** @param dir - a directory for the cache (created 0700, removed by {@link CodeCache.close}) */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * The local file of an object version, fetched when it is not cached yet. Concurrent callers of
   * one version share one fetch (older versions stay until the cache is closed: a run may be
   * copying one).
   * @param scope - whose code (an account, a server): scopes never share files
   * @param container - `storlet` or `dependency`
   * @param name - the object name
   * @param version - its ETag (or anything that changes with its content)
   * @param fetch - opens the object's bytes
   * @throws the fetch's error (nothing is left behind)
   */
  async file(scope: string, container: string, name: string, version: string, fetch: () => Promise<Readable>): Promise<string> {
    const dir = join(this.#dir, digest(scope), container);
    const base = digest(name);
    const path = join(dir, `${base}.${digest(version)}`);
    const key = path;
    let pending = this.#inflight.get(key);
    if (pending === undefined) {
      pending = (async () => {
        try {
          await stat(path);
          return path;
        } catch {
          // not cached yet
        }
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        try {
          await pipeline(await fetch(), createWriteStream(temp, { mode: 0o600 }));
          await rename(temp, path);
        } catch (err) {
          await rm(temp, { force: true });
          throw err;
        }
        return path;
      })().finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  /** Removes every cached file. */
  async close(): Promise<void> {
    await rm(this.#dir, { recursive: true, force: true });
  }
}

function digest(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 32);
}

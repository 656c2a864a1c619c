/**
 * `skybutler:dedup`: content-addressed blobs plus references. The storage below holds
 *
 *   blobs/<aa>/<sha256>          the bytes, once per distinct content
 *   refs/<key>                   \{"sha256", "size", "modified"\}: what a key names
 *   pins/<sha256>/<time>-<rand>  a put or copy in progress that relies on that blob
 *   gc.lock                      while a gc runs
 *
 * A delete removes the reference only, so puts and deletes of the same content in several
 * processes never race on a blob. Blobs are removed by {@link DedupStorage.gc} alone, which is safe
 * against concurrent puts: a put pins the blob *before* it checks for a running gc (and waits for
 * it), and gc takes its lock *before* it lists pins, then references, then blobs. A put that saw no
 * lock therefore has its pin (or, finished, its reference) seen by gc; a put that saw the lock
 * waits until gc is done.
 *
 * ```yaml
 * dedup: {module: "skybutler:dedup", args: {over: "file:///srv/store"}}
 * ```
 *
 * @packageDocumentation
 */
import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Readable } from "node:stream";
import { AlreadyExistsError, IntegrityError, NotFoundError, StorageError } from "../../../errors.js";
import type { ClampedRange } from "../../byte-range.js";
import type { ObjectInfo, StatisticsOptions, Storage, StorageCapabilities, StorageOptions, StorageStatistics } from "../../storage.js";
import { StreamStorage, writeToFile, type ByteSource } from "../../stream-storage.js";
import type { GcReport } from "../admin.js";
import { integerArg, openInner, overOf, wrapperConfig } from "../wrapper-support.js";

/** A reference: what `refs/<key>` holds. */
interface Reference {
  sha256: string;
  size: number;
  modified: number;
}

const GC_LOCK = "gc.lock";

/**
 * The `skybutler:dedup` factory. Args: `over`; `gcWaitMs` (how long a put waits for a running gc,
 * default 10 min); `lockTtlMs` (a gc lock older than this is abandoned, default 30 min).
 * @throws ConfigError for missing or malformed args
 */
export async function openDedupStorage(uri: string, options: StorageOptions): Promise<DedupStorage> {
  const config = wrapperConfig("dedup", uri, options);
  const over = overOf(config);
  const gcWaitMs = integerArg(config, "gcWaitMs", 600_000, 0);
  const lockTtlMs = integerArg(config, "lockTtlMs", 1_800_000, 1);
  const inner = await openInner(config, over);
  return new DedupStorage(config.name, config.uri.uri, inner, { gcWaitMs, lockTtlMs }, options);
}

function blobKey(sha: string): string {
  return `blobs/${sha.slice(0, 2)}/${sha}`;
}

/** Content-addressed storage: the same bytes under many keys are stored once. */
export class DedupStorage extends StreamStorage {
  readonly scheme: string;
  readonly uri: string;
  readonly capabilities: StorageCapabilities;
  readonly #inner: Storage;
  readonly #gcWaitMs: number;
  readonly #lockTtlMs: number;

  constructor(scheme: string, uri: string, inner: Storage, limits: { gcWaitMs: number; lockTtlMs: number }, options: StorageOptions = {}) {
    super(options);
    this.scheme = scheme;
    this.uri = uri;
    this.#inner = inner;
    this.#gcWaitMs = limits.gcWaitMs;
    this.#lockTtlMs = limits.lockTtlMs;
    this.capabilities = { localPath: false, metadata: false, rangedRead: inner.capabilities.rangedRead };
  }

  protected async statKey(key: string): Promise<ObjectInfo> {
    const ref = await this.#reference(key);
    return { key, size: ref.size, modified: new Date(ref.modified), etag: `sha256:${ref.sha256}` };
  }

  async #reference(key: string): Promise<Reference> {
    let text: Buffer;
    try {
      text = await this.#inner.read(`refs/${key}`);
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(key, this.uri, { cause: err });
      throw err;
    }
    try {
      const ref = JSON.parse(text.toString("utf8")) as Reference;
      if (!/^[0-9a-f]{64}$/.test(ref.sha256) || !Number.isSafeInteger(ref.size) || ref.size < 0) throw new Error("malformed");
      return ref;
    } catch (err) {
      throw new IntegrityError(`the reference of "${key}" in ${this.uri} is damaged`, { cause: err });
    }
  }

  protected async openRange(key: string, range: ClampedRange, info: ObjectInfo): Promise<Readable> {
    const sha = info.etag!.slice("sha256:".length);
    let stream: Readable;
    try {
      stream = await this.#inner.readStream(blobKey(sha), { offset: range.start, length: range.length });
    } catch (err) {
      if (err instanceof NotFoundError) throw new IntegrityError(`"${key}" in ${this.uri} names blob ${sha}, which is missing`, { cause: err });
      throw err;
    }
    if (range.start !== 0 || range.length !== info.size) return stream;
    return Readable.from(this.#hashed(stream, sha, key));
  }

  /** A whole read is checked against the content address for free. */
  async *#hashed(stream: Readable, sha: string, key: string): AsyncGenerator<Buffer> {
    const hash = createHash("sha256");
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      yield chunk as Buffer;
    }
    if (hash.digest("hex") !== sha) throw new IntegrityError(`the blob of "${key}" in ${this.uri} does not match its SHA-256 ${sha}; it is damaged`);
  }

  protected async writeKey(key: string, source: ByteSource, ifAbsent: boolean): Promise<void> {
    // the address must be known before the blob is written: spool while hashing
    const spool = await this.tempScope.createFile({ prefix: "dedup" });
    try {
      const hash = createHash("sha256");
      let size = 0;
      await writeToFile(
        (async function* () {
          for await (const chunk of source) {
            hash.update(chunk);
            size += chunk.byteLength;
            yield chunk;
          }
        })(),
        spool.path,
      );
      const sha = hash.digest("hex");
      await this.#pinned(sha, async () => {
        if (!(await this.#inner.exists(blobKey(sha)))) {
          try {
            await this.#inner.putLocalFile(spool.path, blobKey(sha), { ifAbsent: true });
          } catch (err) {
            if (!(err instanceof AlreadyExistsError)) throw err; // the same bytes, put by someone else
          }
        }
        await this.#writeReference(key, { sha256: sha, size, modified: Date.now() }, ifAbsent);
      });
    } finally {
      await spool.release();
    }
  }

  async #writeReference(key: string, ref: Reference, ifAbsent: boolean): Promise<void> {
    try {
      await this.#inner.write(`refs/${key}`, JSON.stringify(ref), { ifAbsent });
    } catch (err) {
      if (err instanceof AlreadyExistsError) throw new AlreadyExistsError(key, this.uri, { cause: err });
      throw err;
    }
  }

  /** Runs `fn` with a pin on the blob, after any running gc is done. */
  async #pinned<T>(sha: string, fn: () => Promise<T>): Promise<T> {
    const pin = `pins/${sha}/${Date.now()}-${randomBytes(6).toString("hex")}`;
    await this.#inner.write(pin, `${process.pid} ${hostname()}`);
    try {
      await this.#waitForGc();
      return await fn();
    } finally {
      await this.#inner.delete(pin).catch(() => undefined);
    }
  }

  async #waitForGc(): Promise<void> {
    const started = Date.now();
    for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
      const lock = await this.#gcLock();
      if (lock === undefined) return;
      if (Date.now() - started > this.#gcWaitMs) {
        throw new StorageError(`a gc of ${this.uri} has run for longer than ${this.#gcWaitMs} ms; try again later`, { code: "E_TIMEOUT" });
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** The running gc's start time, or undefined when none runs (an abandoned lock counts as none). */
  async #gcLock(): Promise<number | undefined> {
    let text: Buffer;
    try {
      text = await this.#inner.read(GC_LOCK);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
    let started = Number.NaN;
    try {
      started = Number((JSON.parse(text.toString("utf8")) as { started?: number }).started);
    } catch {
      // a damaged lock is an abandoned one
    }
    return Number.isFinite(started) && Date.now() - started < this.#lockTtlMs ? started : undefined;
  }

  protected async deleteKey(key: string): Promise<void> {
    try {
      await this.#inner.delete(`refs/${key}`);
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(key, this.uri, { cause: err });
      throw err;
    }
  }

  protected override async copyKey(from: string, to: string, ifAbsent: boolean): Promise<void> {
    const ref = await this.#reference(from);
    await this.#pinned(ref.sha256, async () => {
      if (!(await this.#inner.exists(blobKey(ref.sha256)))) throw new IntegrityError(`"${from}" in ${this.uri} names blob ${ref.sha256}, which is missing`);
      await this.#writeReference(to, { ...ref, modified: Date.now() }, ifAbsent);
    });
  }

  protected async *listKeys(prefix: string, shallow: boolean): AsyncIterable<string> {
    for await (const key of this.#inner.list({ prefix: `refs/${prefix}`, shallow })) yield key.slice("refs/".length);
  }

  /**
   * Capacity of the storage below; with `count`, the keys and their bytes, and `dedup`: blobs,
   * stored bytes and the ratio logical / stored.
   */
  protected async statisticsOf(options: StatisticsOptions): Promise<StorageStatistics> {
    const below = await this.#inner.statistics();
    if (options.count !== true) return { capacity: below.capacity };
    let objects = 0;
    let bytes = 0;
    for await (const key of this.#inner.list({ prefix: "refs/" })) {
      try {
        bytes += (await this.#reference(key.slice(5))).size;
        objects++;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    let blobs = 0;
    let storedBytes = 0;
    for await (const key of this.#inner.list({ prefix: "blobs/" })) {
      try {
        storedBytes += (await this.#inner.stat(key)).size;
        blobs++;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    return { capacity: below.capacity, objects, bytes, dedup: { blobs, storedBytes, ratio: storedBytes === 0 ? 1 : bytes / storedBytes } };
  }

  /**
   * Removes blobs that no reference names and no put in progress pinned. Pins older than
   * `graceMs` (default 1 h) are taken for crashed puts and removed.
   * @throws StorageError (E_UNAVAILABLE) when another gc holds the lock; what the storage below throws
   */
  async gc(options: { graceMs?: number } = {}): Promise<GcReport> {
    this.assertOpen();
    const graceMs = options.graceMs ?? 3_600_000;
    await this.#takeGcLock();
    try {
      const pinned = new Set<string>();
      for await (const pin of this.#inner.list({ prefix: "pins/" })) {
        const [, sha, stamp] = pin.split("/");
        if (Date.now() - Number.parseInt(stamp ?? "0", 10) > graceMs) await this.#inner.delete(pin).catch(() => undefined);
        else pinned.add(sha!);
      }
      const referenced = new Set<string>();
      for await (const key of this.#inner.list({ prefix: "refs/" })) {
        try {
          referenced.add((await this.#reference(key.slice(5))).sha256);
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }
      const report: GcReport = { removed: 0, freedBytes: 0, kept: 0 };
      for await (const blob of this.#inner.list({ prefix: "blobs/" })) {
        const sha = blob.slice(blob.lastIndexOf("/") + 1);
        if (referenced.has(sha) || pinned.has(sha)) {
          report.kept++;
          continue;
        }
        const size = (await this.#inner.stat(blob)).size;
        await this.#inner.delete(blob);
        report.removed++;
        report.freedBytes += size;
      }
      return report;
    } finally {
      await this.#inner.delete(GC_LOCK).catch(() => undefined);
    }
  }

  async #takeGcLock(): Promise<void> {
    const lock = JSON.stringify({ started: Date.now(), pid: process.pid, host: hostname() });
    try {
      await this.#inner.write(GC_LOCK, lock, { ifAbsent: true });
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      if ((await this.#gcLock()) !== undefined) throw new StorageError(`another gc of ${this.uri} is running; try again when it is done`, { code: "E_UNAVAILABLE" });
      await this.#inner.write(GC_LOCK, lock); // abandoned: take it over
    }
  }

  protected async closeResources(): Promise<void> {
    await this.#inner.close();
  }
}


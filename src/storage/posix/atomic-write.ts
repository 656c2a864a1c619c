/**
 * Atomic file replacement, as in Gen2's `safeFileIo.SafeFile`: write a temp file beside the
 * destination, fsync it, rename it over the destination, fsync the directory. A reader sees the old
 * file or the new one, never a partial one, even if the writer is killed at any instant.
 *
 * @packageDocumentation
 */
import { closeSync, constants, existsSync, fstatSync, fsync, fsyncSync, linkSync, openSync, renameSync, unlinkSync } from "node:fs";
import { chmod, copyFile, open, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { errnoOf, isErrno } from "./errno.js";

/** Writes bigger than this go straight to the file; smaller ones are gathered to save syscalls. */
const DIRECT_WRITE = 256 * 1024;
const GATHER = 1024 * 1024;

const fsyncOnPool = promisify(fsync);

/** Files at most this large are small enough to fsync on the event loop (see {@link fsyncFd}). */
const LOOP_SYNC_MAX = 64 * 1024;

/** Atomic writes of this process between their start and their end (commit or abort). */
let writesUnderway = 0;
let loopSyncs = true;

/**
 * Whether a lone small write may fsync on the event loop (default true). A server turns it off:
 * there other requests wait on the loop, which a write does not see.
 */
export function allowLoopSyncs(allowed: boolean): void {
  loopSyncs = allowed;
}

/**
 * fsync of a descriptor opened synchronously — the one call of a small put that waits for the disk.
 * When this write is the only one underway and the file is small, on the event loop: nothing of
 * ours could run meanwhile, and a pool round trip (the thread's wake-up and the loop's) cost more
 * than the fsync itself here — 1,000 one-at-a-time durable puts went from 0.59× to 0.70× of the
 * raw write's rate (2026-12-03, README). Otherwise on libuv's pool, so the loop goes on and
 * `Promise.all` of many puts syncs them in parallel. The opens and closes around it are
 * synchronous: microseconds on a local filesystem, where each async one cost a pool round trip
 * of 60–100 µs on this 2-core machine. The trade-off is the one of `file-reads.ts`: a hung network
 * filesystem would block the loop rather than a pool thread.
 */
async function fsyncFd(fd: number, small: boolean): Promise<void> {
  if (small && loopSyncs && writesUnderway <= 1) fsyncSync(fd);
  else await fsyncOnPool(fd);
}

/** Turns a raw filesystem error into the caller's error class. */
export type ErrorTranslator = (err: unknown) => Error;

/**
 * One pending replacement of `dir/name`. Created with its temp file open for writing; either
 * {@link AtomicWrite.commit} or {@link AtomicWrite.abort} ends it, and both remove the temp file
 * on failure. Every filesystem error goes through the translator given to {@link AtomicWrite.begin}.
 */
export class AtomicWrite {
  #handle: FileHandle | undefined;
  #done = false;
  #underway = true;
  #gather: Buffer | undefined;
  #gathered = 0;
  readonly #translate: ErrorTranslator;

  private constructor(
    /** The directory holding both files (a real path, already checked to be inside the root). */
    readonly dir: string,
    /** Absolute path of the temp file. */
    readonly tempPath: string,
    /** Absolute path of the destination. */
    readonly destPath: string,
    handle: FileHandle | undefined,
    translate: ErrorTranslator,
  ) {
    this.#handle = handle;
    this.#translate = translate;
    writesUnderway++;
  }

  /**
   * Creates the temp file beside `dir/name`. Mode `0o666` minus the umask, applied by the kernel,
   * so a published file gets the same permissions as one made by `open(2)` (Gen2's SafeFile does
   * the same); `wx` never reuses an existing name.
   * @param translate - applied to every later failure; this one throws the raw error, so the caller
   *   can retry an `ENOENT` (its directory pruned by a concurrent delete)
   * @throws the raw filesystem error
   */
  static async begin(dir: string, name: string, tempName: string, translate: ErrorTranslator): Promise<AtomicWrite> {
    const tempPath = join(dir, tempName);
    const handle = await open(tempPath, "wx", 0o666);
    return new AtomicWrite(dir, tempPath, join(dir, name), handle, translate);
  }

  /**
   * As {@link AtomicWrite.begin}, for a caller that fills the temp file by name: it is created
   * empty (synchronously: one `open`+`close` from the page cache, not two pool round trips) and
   * left closed; {@link AtomicWrite.commit} reopens it to fsync.
   * @throws the raw filesystem error
   */
  static createByPath(dir: string, name: string, tempName: string, translate: ErrorTranslator): AtomicWrite {
    const tempPath = join(dir, tempName);
    closeSync(openSync(tempPath, "wx", 0o666));
    return new AtomicWrite(dir, tempPath, join(dir, name), undefined, translate);
  }

  /** Whether the write was committed or aborted. */
  get done(): boolean {
    return this.#done;
  }

  /** Appends bytes to the temp file; memory stays bounded by one gather buffer. */
  async write(chunk: Uint8Array): Promise<void> {
    const handle = this.#open();
    try {
      if (chunk.byteLength >= DIRECT_WRITE) {
        await this.#flush(handle);
        await writeFully(handle, chunk);
        return;
      }
      this.#gather ??= Buffer.allocUnsafe(GATHER);
      if (this.#gathered + chunk.byteLength > GATHER) await this.#flush(handle);
      this.#gather.set(chunk, this.#gathered);
      this.#gathered += chunk.byteLength;
    } catch (err) {
      throw this.#translate(err);
    }
  }

  /**
   * Closes the temp file so that another writer (a FITS library, a copy) can fill `tempPath`
   * by name; {@link AtomicWrite.commit} reopens it to fsync.
   */
  async closeFile(): Promise<void> {
    const handle = this.#handle;
    if (handle === undefined) return;
    try {
      await this.#flush(handle);
      this.#handle = undefined;
      await handle.close();
    } catch (err) {
      throw this.#translate(err);
    }
  }

  /**
   * Fills the temp file with a copy of `source` (a reflink where the filesystem can), keeping the
   * temp file's own mode rather than the source's.
   */
  async copyFrom(source: string): Promise<void> {
    try {
      const mode = (await this.#open().stat()).mode & 0o7777;
      await this.closeFile();
      await copyFile(source, this.tempPath, constants.COPYFILE_FICLONE);
      await chmod(this.tempPath, mode);
    } catch (err) {
      throw this.#translate(err);
    }
  }

  /**
   * Publishes the temp file as the destination: fsync, then rename — or, with `ifAbsent`, `link`,
   * which fails with `EEXIST` if the destination appeared meanwhile (race-free, unlike a check
   * followed by a rename) — then fsync of the directory; without `durable`, no fsync (still
   * atomic for readers). Removes the temp file on failure.
   * @throws the translated error; `AlreadyExistsError` for `ifAbsent` on an existing destination
   */
  async commit(ifAbsent = false, around?: (publish: () => void) => void, durable = true): Promise<void> {
    if (this.#done) throw new Error(`pending write of ${this.destPath} was already committed or aborted`);
    try {
      await this.#syncAndClose(durable);
      // Synchronous on purpose: a caller's `around` may run it inside a sqlite transaction, which
      // must not span an await.
      const publish = () => (ifAbsent ? publishIfAbsent(this.tempPath, this.destPath) : renameSync(this.tempPath, this.destPath));
      if (around === undefined) publish();
      else around(publish);
      this.#done = true;
      if (durable) await syncDirectory(this.dir);
    } catch (err) {
      if (!this.#done) await this.abort();
      throw this.#translate(err);
    } finally {
      this.#end();
    }
  }

  /** Discards the temp file; a no-op once committed or aborted. Never throws. */
  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#end();
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }

  /** No longer underway (counted once). */
  #end(): void {
    if (this.#underway) writesUnderway--;
    this.#underway = false;
  }

  #open(): FileHandle {
    if (this.#handle === undefined) throw new Error(`temp file ${this.tempPath} is closed`);
    return this.#handle;
  }

  async #flush(handle: FileHandle): Promise<void> {
    if (this.#gathered === 0 || this.#gather === undefined) return;
    await writeFully(handle, this.#gather.subarray(0, this.#gathered));
    this.#gathered = 0;
  }

  async #syncAndClose(durable: boolean): Promise<void> {
    if (!durable && this.#handle === undefined) return; // filled by name and closed: nothing to flush or sync
    if (this.#handle === undefined) {
      // filled by name (createLocalFile, copyFrom, a link to a read-only file an ingest put there):
      // read-only, since fsync needs no write access and nothing is left to flush
      const fd = openSync(this.tempPath, "r");
      try {
        await fsyncFd(fd, fstatSync(fd).size <= LOOP_SYNC_MAX);
      } finally {
        closeSync(fd);
      }
      return;
    }
    const handle = this.#handle;
    this.#handle = undefined;
    try {
      await this.#flush(handle);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

async function writeFully(handle: FileHandle, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.byteLength) {
    const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset);
    offset += bytesWritten;
  }
}

/** `link` then `unlink`: the destination either did not exist and now holds the file, or EEXIST. */
function publishIfAbsent(tempPath: string, destPath: string): void {
  try {
    linkSync(tempPath, destPath);
  } catch (err) {
    // A filesystem without hard links: check-then-rename is the best left (a narrow race).
    if (!isErrno(err, "ENOTSUP", "EOPNOTSUPP", "ENOSYS")) throw err;
    if (existsSync(destPath)) throw Object.assign(new Error(`EEXIST: ${destPath} exists`), { code: "EEXIST" });
    renameSync(tempPath, destPath);
    return;
  }
  // the object is published; a temp name left behind by a failing unlink is hidden from listings
  try {
    unlinkSync(tempPath);
  } catch {
    // hidden from listings; nothing is lost
  }
}

/**
 * fsync a directory so that a rename in it survives a crash; filesystems that cannot are skipped.
 * Opened and closed synchronously; synced on the loop or the pool as `fsyncFd` decides (a
 * directory is small).
 */
export async function syncDirectory(dir: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch (err) {
    if (isErrno(err, "EACCES", "EPERM")) return; // a write-only directory: nothing more we can do
    throw err;
  }
  try {
    await fsyncFd(fd, true);
  } catch (err) {
    if (!["EINVAL", "ENOTSUP", "EOPNOTSUPP", "EBADF", "EISDIR"].includes(errnoOf(err) ?? "")) throw err;
  } finally {
    closeSync(fd);
  }
}

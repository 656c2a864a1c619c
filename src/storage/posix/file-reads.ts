/**
 * The read side of {@link PosixStorage}: an object is a regular file, so every helper treats a
 * directory (or a path through a file) as "no object at this key", as an object store would.
 * Each takes the file's path, the key and the storage URI, so errors name the object, not the path.
 *
 * @packageDocumentation
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { Readable } from "node:stream";
import type { BigIntStats } from "node:fs";
import { open, readFile, stat, type FileHandle } from "node:fs/promises";
import { NotFoundError } from "../../errors.js";
import { clampRange } from "../byte-range.js";
import { requireVersion } from "../ranged-object.js";
import type { ByteRange, ObjectInfo } from "../storage.js";
import { isErrno, translateFsError } from "./errno.js";

/**
 * Bytes per read of a stream. Node's 64 KiB default costs a thread-pool round trip and a chunk
 * through every stream stage per 64 KiB: serving a 1 GiB file through `skybutler serve` took the
 * server 1.0–1.8 s of CPU with 64 KiB reads, 0.5–0.6 s (one outlier 1.4 s) with 1 MiB ones, and
 * ran faster in 3 of 4 interleaved rounds (2026-12-03). Memory stays flat: a stream holds a chunk
 * or two, and a read never asks for more than the bytes left, so a small file costs its size.
 */
const READ_CHUNK = 1024 * 1024;

/**
 * Whether a regular file exists at the path.
 * @throws PermissionDeniedError (or another translated error) when the path cannot be examined
 */
export async function isFileAt(path: string, key: string, uri: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if (isErrno(err, "ENOENT", "ENOTDIR")) return false;
    throw translateFsError(err, key, uri, "read");
  }
}

/**
 * Size, modification time and a validator built from inode, size and nanosecond mtime (an atomic
 * replace always makes a new inode, so the validator changes with the content).
 * @throws NotFoundError when there is no regular file at the path
 */
export async function fileInfo(path: string, key: string, uri: string): Promise<ObjectInfo> {
  let info;
  try {
    info = await stat(path, { bigint: true });
  } catch (err) {
    throw translateFsError(err, key, uri, "read");
  }
  if (!info.isFile()) throw new NotFoundError(key, uri);
  return {
    key,
    size: Number(info.size),
    modified: new Date(Number(info.mtimeMs)),
    etag: validatorOf(info),
  };
}

/**
 * The validator of a file (`ObjectInfo.etag`): inode, size and nanosecond mtime. An atomic replace
 * makes a new inode, so an open descriptor's validator tells which version it holds.
 */
export function validatorOf(info: BigIntStats): string {
  return `${info.ino.toString(36)}-${info.size.toString(36)}-${info.mtimeNs.toString(36)}`;
}

/**
 * The size of the open file, after checking that it is the version a pinned range asks for.
 * @throws ChangedError when `range.ifMatch` names another version
 */
async function sizeOfVersion(handle: FileHandle, range: ByteRange | undefined, key: string, uri: string): Promise<number> {
  const info = await handle.stat({ bigint: true });
  requireVersion(range?.ifMatch, { etag: validatorOf(info) }, key, uri);
  return Number(info.size);
}

/**
 * The largest file {@link readWholeFile} reads with synchronous syscalls. A get of a small dataset
 * is a handful of syscalls that take microseconds each from the page cache, while each async call
 * is a round trip through libuv's thread pool (60–100 µs apiece on this loaded 2-core machine,
 * 2026-12-03): open, fstat, read and close synchronously cost less than one such round trip. The
 * trade-off: a stalled filesystem (a hung NFS server) blocks the event loop for as long as one of
 * these syscalls hangs, where the async path would block one pool thread. An async `readFile` of
 * the same path would itself stall for as long, and every later pool request would queue behind
 * it (the pool has 4 threads), so the process is stuck either way; we take the microseconds.
 * Bigger files go through the async path, where the read itself, not the round trip, costs.
 */
export const SYNC_READ_MAX = 64 * 1024;

/**
 * A whole object: a file up to {@link SYNC_READ_MAX} bytes read with synchronous syscalls (open,
 * fstat, read, close — no thread-pool round trip), a bigger one in one async `readFile` call (about
 * five times faster than the handle-based path: open, fstat, read, close are four round trips to
 * the pool). A directory is "no object" like elsewhere.
 * @throws NotFoundError
 */
export async function readWholeFile(path: string, key: string, uri: string): Promise<Buffer> {
  try {
    const small = readSmallFileSync(path);
    if (small === "not a file") throw new NotFoundError(key, uri);
    return small ?? (await readFile(path));
  } catch (err) {
    if (isErrno(err, "EISDIR")) throw new NotFoundError(key, uri);
    throw translateFsError(err, key, uri, "read");
  }
}

/**
 * The whole file if it is a regular file of at most {@link SYNC_READ_MAX} bytes, read with
 * synchronous syscalls (what `readFileSync` does); undefined for a bigger one (the caller reads it asynchronously); "not a
 * file" for a directory, a FIFO or a device.
 * @throws the raw filesystem error
 */
function readSmallFileSync(path: string): Buffer | "not a file" | undefined {
  // O_NONBLOCK: a FIFO at the key must not block the event loop waiting for a writer (it has no
  // effect on a regular file)
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return "not a file";
    if (info.size > SYNC_READ_MAX) return undefined;
    // exactly the size: an object is replaced by a rename, never grown in place; a file truncated
    // meanwhile gives fewer bytes, as an async read would
    const buffer = Buffer.allocUnsafe(info.size);
    let filled = 0;
    while (filled < info.size) {
      const n = readSync(fd, buffer, filled, info.size - filled, null);
      if (n === 0) break;
      filled += n;
    }
    return filled === info.size ? buffer : buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

/**
 * A range of the file; reads only the bytes asked for, and returns fewer when the file was
 * truncated in place meanwhile.
 * @throws NotFoundError, RangeError
 */
export async function readFileRange(path: string, key: string, uri: string, range: ByteRange): Promise<Buffer> {
  const handle = await openRegularFile(path, key, uri);
  try {
    const { start, length } = clampRange(range, await sizeOfVersion(handle, range, key, uri));
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, start + filled);
      if (bytesRead === 0) break; // truncated in place meanwhile
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } catch (err) {
    throw translateFsError(err, key, uri, "read");
  } finally {
    await handle.close();
  }
}

/**
 * A stream of the file or a range of it. The file is opened before this returns, so a missing file
 * raises here, and a replace after that does not change what the stream delivers.
 * @throws NotFoundError, RangeError
 */
export async function openFileStream(path: string, key: string, uri: string, range: ByteRange | undefined): Promise<Readable> {
  const handle = await openRegularFile(path, key, uri);
  let clamped;
  try {
    clamped = clampRange(range, await sizeOfVersion(handle, range, key, uri));
  } catch (err) {
    await handle.close();
    throw translateFsError(err, key, uri, "read");
  }
  if (clamped.length === 0) {
    await handle.close();
    return Readable.from([], { objectMode: false });
  }
  return handle.createReadStream({ start: clamped.start, end: clamped.start + clamped.length - 1, autoClose: true, highWaterMark: READ_CHUNK });
}

/**
 * Checks that a regular file exists at the path.
 * @param where - what to name in the error: the storage URI, or the local filesystem for a source
 * @throws NotFoundError (also for a directory)
 */
export async function requireFile(path: string, key: string, where: string): Promise<void> {
  try {
    if ((await stat(path)).isFile()) return;
  } catch (err) {
    throw translateFsError(err, key, where, "read");
  }
  throw new NotFoundError(key, where);
}

/** Opens a regular file for reading. @throws NotFoundError (also for a directory) */
export async function openRegularFile(path: string, key: string, uri: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (err) {
    throw translateFsError(err, key, uri, "read");
  }
  const isFile = await handle.stat().then((s) => s.isFile(), () => false);
  if (!isFile) {
    await handle.close();
    throw new NotFoundError(key, uri);
  }
  return handle;
}

/**
 * A decorator whose every write goes through its own `createLocalFile`: `write`, `writeStream`
 * and `putLocalFile` fill a pending local file and commit it, so a subclass that adds something
 * around commits (a checksum and a record, a backup) overrides `createLocalFile` alone.
 *
 * @packageDocumentation
 */
import { closeSync, constants, createWriteStream, fstatSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { copyFile, writeFile } from "node:fs/promises";
import { extname } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StorageDecorator } from "./storage-decorator.js";
import type { PendingLocalFile, WriteOptions } from "./storage.js";

/** The largest object {@link LocalFileWritesStorage.write} writes to its pending file with synchronous syscalls. */
const SYNC_WRITE_MAX = 64 * 1024;

/**
 * Writes bytes into a pending file synchronously. Without `O_TRUNC`: truncating the (empty) temp
 * file made ext4 flush it on close (its `auto_da_alloc` heuristic for replace-by-truncate), 100 µs
 * and more per small put; a longer old content is cut after the write instead.
 */
function writeSmallFile(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT, 0o666);
  try {
    for (let offset = 0; offset < bytes.byteLength; ) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset, offset);
    if (fstatSync(fd).size > bytes.byteLength) ftruncateSync(fd, bytes.byteLength);
  } finally {
    closeSync(fd);
  }
}

/** Writes through pending local files; subclasses override {@link StorageDecorator.createLocalFile}. */
export abstract class LocalFileWritesStorage extends StorageDecorator {
  override async write(key: string, data: Uint8Array | string, options: WriteOptions = {}): Promise<void> {
    await this.#through(key, options, async (pending) => {
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      // a small object into the page cache synchronously: microseconds, where open, write and close
      // on the pool are three round trips (the fsync at commit is what waits for the disk)
      if (bytes.byteLength <= SYNC_WRITE_MAX) writeSmallFile(pending.path, bytes);
      else await writeFile(pending.path, bytes);
      await pending.observe?.(bytes); // the bytes are in hand: no read-back for the checksums
    });
  }

  override async writeStream(key: string, source: Readable | AsyncIterable<Uint8Array>, options: WriteOptions = {}): Promise<void> {
    await this.#through(key, options, (pending) => pipeline(source, createWriteStream(pending.path)));
  }

  override async putLocalFile(localPath: string, key: string, options: WriteOptions = {}): Promise<void> {
    await this.#through(key, options, (pending) => copyFile(localPath, pending.path));
  }

  abstract override createLocalFile(key: string, options?: WriteOptions & { suffix?: string }): Promise<PendingLocalFile>;

  async #through(key: string, options: WriteOptions, fill: (pending: PendingLocalFile) => Promise<void>): Promise<void> {
    // the key's extension on the temp file, for tools that pick a format by it
    await using pending = await this.createLocalFile(key, { ...options, suffix: extname(key) });
    await fill(pending);
    await pending.commit();
  }
}

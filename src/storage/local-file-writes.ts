/**
 * A decorator whose every write goes through its own `createLocalFile`: `write`, `writeStream`
 * and `putLocalFile` fill a pending local file and commit it, so a subclass that adds something
 * around commits (a checksum and a record, a backup) overrides `createLocalFile` alone.
 *
 * @packageDocumentation
 */
import { createWriteStream } from "node:fs";
import { copyFile, writeFile } from "node:fs/promises";
import { extname } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StorageDecorator } from "./storage-decorator.js";
import type { PendingLocalFile, WriteOptions } from "./storage.js";

/** Writes through pending local files; subclasses override {@link StorageDecorator.createLocalFile}. */
export abstract class LocalFileWritesStorage extends StorageDecorator {
  override async write(key: string, data: Uint8Array | string, options: WriteOptions = {}): Promise<void> {
    await this.#through(key, options, async (pending) => {
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      await writeFile(pending.path, bytes);
      pending.observe?.(bytes); // the bytes are in hand: no read-back for the checksums
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

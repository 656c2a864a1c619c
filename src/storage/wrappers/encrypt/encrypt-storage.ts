/**
 * `skybutler:encrypt`: objects encrypted with AES-256-GCM in fixed-size authenticated chunks
 * (`encryption-format.ts`), streamed both ways; a ranged read fetches and decrypts only the chunks
 * it needs. Any changed byte is an {@link IntegrityError}. The key id in each object's header
 * picks the key, so keys rotate: new objects use `keyFile`/`keyEnv`, older ones are read with
 * `previousKeys`.
 *
 * ```yaml
 * secure: {module: "skybutler:encrypt", args: {keyFile: /etc/skybutler/key.hex, over: "swift://"}}
 * ```
 *
 * @packageDocumentation
 */
import { Readable } from "node:stream";
import { ChangedError, IntegrityError, NotFoundError } from "../../../errors.js";
import type { ClampedRange } from "../../byte-range.js";
import type { ObjectInfo, StatisticsOptions, Storage, StorageOptions, StorageStatistics } from "../../storage.js";
import type { ByteSource } from "../../stream-storage.js";
import { coalesce, integerArg, openInner, overOf, prefetch, wrapperConfig } from "../wrapper-support.js";
import { WrapperStorage } from "../wrapper-storage.js";
import { decryptChunks, encryptStream, MAX_HEADER, parseHeader, TAG_SIZE, type EncryptedLayout } from "./encryption-format.js";
import { loadKeys, type EncryptionKey } from "./encryption-keys.js";

const DEFAULT_CHUNK = 1024 * 1024;
/** Bytes read or encrypted ahead of the consumer. */
const PREFETCH = 8 * 1024 * 1024;
/** Sealed chunks are joined into writes of this size (large writes are much cheaper below). */
const WRITE_PIECE = 8 * 1024 * 1024;

/**
 * The `skybutler:encrypt` factory.
 * @throws ConfigError for a missing or malformed key, over or chunkSize (never showing the key)
 */
export async function openEncryptStorage(uri: string, options: StorageOptions): Promise<EncryptStorage> {
  const config = wrapperConfig("encrypt", uri, options);
  const over = overOf(config);
  const keys = loadKeys(config.args, config.name, config.file);
  const chunkSize = integerArg(config, "chunkSize", DEFAULT_CHUNK, 1024);
  const inner = await openInner(config, over);
  return new EncryptStorage(config.name, config.uri.uri, inner, keys, chunkSize, options);
}

/** Objects encrypted in authenticated chunks. */
export class EncryptStorage extends WrapperStorage {
  readonly #current: EncryptionKey;
  readonly #keys: Map<string, EncryptionKey>;
  readonly #chunkSize: number;
  readonly #layouts = new WeakMap<ObjectInfo, EncryptedLayout>();

  constructor(scheme: string, uri: string, inner: Storage, keys: { current: EncryptionKey; byId: Map<string, EncryptionKey> }, chunkSize: number, options: StorageOptions = {}) {
    super(scheme, uri, inner, options);
    this.#current = keys.current;
    this.#keys = keys.byId;
    this.#chunkSize = chunkSize;
  }

  protected figureName(): string {
    return "encrypt";
  }

  protected override async statisticsOf(options: StatisticsOptions): Promise<StorageStatistics> {
    const stats = await super.statisticsOf(options);
    return { ...stats, encrypt: { ...(stats.encrypt as object), keyId: this.#current.id, keys: this.#keys.size } };
  }

  protected async statKey(key: string): Promise<ObjectInfo> {
    for (let attempt = 0; ; attempt++) {
      const stored = await this.inner.stat(key);
      try {
        const layout = await this.#layout(key, stored);
        const info: ObjectInfo = { key, size: layout.size, modified: stored.modified, ...(stored.etag === undefined ? {} : { etag: stored.etag }) };
        this.#layouts.set(info, layout);
        return info;
      } catch (err) {
        // replaced between the stat and the header read: look again once before calling it damage
        if (attempt === 0 && (err instanceof IntegrityError || err instanceof NotFoundError || err instanceof ChangedError)) continue;
        throw err;
      }
    }
  }

  async #layout(key: string, stored: ObjectInfo): Promise<EncryptedLayout> {
    const start = await this.inner.read(key, { offset: 0, length: Math.min(stored.size, MAX_HEADER), ...this.pinOf(stored) });
    return parseHeader(start, stored.size, `"${key}" in ${this.uri}`);
  }

  protected async openRange(key: string, range: ClampedRange, info: ObjectInfo): Promise<Readable> {
    const layout = this.#layouts.get(info) ?? (await this.#layout(key, await this.inner.stat(key)));
    const what = `"${key}" in ${this.uri}`;
    const entry = this.#keys.get(layout.keyId);
    if (entry === undefined) {
      const shown = /^[\x21-\x7e]{1,64}$/.test(layout.keyId) ? `"${layout.keyId}"` : "(unreadable)";
      throw new IntegrityError(`${what} is encrypted with key id ${shown}, which this module does not have (add it to previousKeys), or its header is damaged`);
    }
    const sealed = layout.chunkSize + TAG_SIZE;
    const first = Math.floor(range.start / layout.chunkSize);
    const last = Math.floor((range.start + range.length - 1) / layout.chunkSize);
    const from = layout.header.length + first * sealed;
    const lastLength = Math.min(layout.chunkSize, layout.size - last * layout.chunkSize) + TAG_SIZE;
    const to = layout.header.length + last * sealed + lastLength;
    // pinned to the version stat'd: header and chunks of one version, or ChangedError
    const stream = await this.inner.readStream(key, { offset: from, length: to - from, ...this.pinOf(info) });
    // read ahead while chunks are decrypted
    const stored = prefetch(stream as AsyncIterable<Buffer>, PREFETCH);
    return Readable.from(this.#slice(decryptChunks(stored, layout, entry.key, first, what), stream, first * layout.chunkSize, range, what));
  }

  async *#slice(plain: AsyncIterable<Buffer>, stream: Readable, from: number, range: ClampedRange, what: string): AsyncGenerator<Buffer> {
    let offset = from;
    const end = range.start + range.length;
    try {
      for await (const chunk of plain) {
        const lo = Math.max(range.start, offset) - offset;
        const hi = Math.min(end, offset + chunk.length) - offset;
        if (hi > lo) yield chunk.subarray(lo, hi);
        offset += chunk.length;
      }
    } finally {
      stream.destroy();
    }
    if (offset < end) throw new IntegrityError(`${what} ended at byte ${offset}, before the ${end} asked for; it was truncated`);
  }

  protected async writeKey(key: string, source: ByteSource, ifAbsent: boolean): Promise<void> {
    // encrypted ahead of the storage below, which writes the previous chunks meanwhile
    await this.inner.writeStream(key, prefetch(coalesce(encryptStream(source, this.#current, this.#chunkSize), WRITE_PIECE), WRITE_PIECE), { ifAbsent });
  }
}

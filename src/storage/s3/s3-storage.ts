/**
 * S3Storage: the `s3://bucket/prefix` backend — objects in an S3 bucket (AWS, or any
 * S3-compatible endpoint such as Swift's s3api), signed with SigV4.
 *
 * @packageDocumentation
 */
import { resolve } from "node:path";
import { Readable } from "node:stream";
import { Agent, type Dispatcher } from "undici";
import { AlreadyExistsError, ChangedError, ConfigError, NotFoundError, StorageError } from "../../errors.js";
import type { ClampedRange } from "../byte-range.js";
import { KeyLock } from "../key-lock.js";
import { backoffMs, classifyTransport, sleep } from "../retry-policy.js";
import type { ObjectInfo, StatisticsOptions, StorageCapabilities, StorageStatistics, WriteOptions } from "../storage.js";
import { StreamStorage, type ByteSource } from "../stream-storage.js";
import { encodeRfc3986, S3Client } from "./s3-client.js";
import { errorCodeOf, s3Error } from "./s3-errors.js";
import { listAll } from "./s3-listing.js";
import { resolveS3Settings, type S3StorageOptions } from "./s3-options.js";
import { hashFile, spoolHashed, uploadFile, type FileDigest } from "./s3-upload.js";

export type { S3StorageOptions } from "./s3-options.js";

/** `s3://bucket[/prefix]` split. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string; uri: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(uri);
  if (m === null) throw new ConfigError(`"${uri}" is not an S3 URI: use s3://bucket or s3://bucket/prefix`);
  const bucket = m[1]!;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError(`"${bucket}" is not a valid S3 bucket name (3–63 lower-case letters, digits, "." and "-")`);
  const prefix = m[2]!.replace(/\/+$/, "").replace(/^\/+/, "");
  if (prefix.split("/").includes("..")) throw new ConfigError(`"${uri}" is not a usable root: no ".." segments`);
  return { bucket, prefix, uri: prefix === "" ? `s3://${bucket}` : `s3://${bucket}/${prefix}` };
}

/**
 * Objects in an S3 bucket below an optional prefix, with the same contract as PosixStorage:
 * every PUT carries Content-MD5 and a signed SHA-256, so the server refuses corrupted bytes;
 * streams are spooled to a temp file while hashing (memory stays flat, every request is
 * replayable); objects above `partSize` go up as multipart uploads; failed requests are retried
 * with jittered backoff and reads resume with a Range pinned by If-Match; `ifAbsent` sends
 * `If-None-Match: *` and is queued per key within the storage.
 *
 * ```ts
 * // credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, endpoint from AWS_ENDPOINT_URL
 * const storage = await S3Storage.open("s3://rerun/me", { create: true });
 * await storage.write("config/isr.py", "config.doWrite = True\n");
 * ```
 */
export class S3Storage extends StreamStorage {
  readonly scheme = "s3";
  readonly uri: string;
  /** Objects are downloaded to be local; they carry `x-amz-meta-*`; ranges are Range GETs. */
  readonly capabilities: StorageCapabilities = { localPath: false, metadata: true, rangedRead: true };
  readonly #client: S3Client;
  readonly #prefix: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #ifAbsent = new KeyLock();
  /** Whether the server honours `If-None-Match: *` on PUT (AWS does; Swift's s3api answers 501). */
  #conditionalPut = true;

  private constructor(uri: string, prefix: string, client: S3Client, dispatcher: Dispatcher, ownsDispatcher: boolean, options: S3StorageOptions) {
    super(options);
    this.uri = uri;
    this.#prefix = prefix;
    this.#client = client;
    this.#dispatcher = dispatcher;
    this.#ownsDispatcher = ownsDispatcher;
  }

  /**
   * Opens `s3://bucket[/prefix]`: checks the bucket (creating it with `create`).
   * @throws ConfigError for a malformed URI or missing credentials (naming the variables)
   * @throws AuthError when the credentials are refused
   * @throws NotFoundError when the bucket does not exist and `create` is not set
   * @throws PermissionDeniedError when the bucket may not be created
   */
  static async open(uri: string, options: S3StorageOptions = {}): Promise<S3Storage> {
    const root = parseS3Uri(uri);
    const settings = resolveS3Settings(options);
    const ownsDispatcher = options.dispatcher === undefined;
    const dispatcher = options.dispatcher ?? new Agent({ connectTimeout: settings.policy.connectMs, headersTimeout: settings.policy.headersMs, bodyTimeout: settings.policy.bodyMs });
    const client = new S3Client(root.bucket, settings, dispatcher);
    try {
      const head = await client.send({ method: "HEAD" });
      await head.body.dump();
      if (head.statusCode === 404) {
        if (options.create !== true) throw new NotFoundError("", `${root.uri} (no such bucket; open it with create to make it)`);
        const made = await client.send({ method: "PUT" });
        if (made.statusCode !== 200 && made.statusCode !== 409) throw s3Error({ method: "PUT", key: "(bucket)", where: root.uri, status: made.statusCode, code: await errorCodeOf(made) });
        await made.body.dump();
      } else if (head.statusCode === 403) {
        // a HEAD has no body to say why: refused credentials, or a user with object grants only
        const probe = await client.send({ method: "GET", query: { "list-type": "2", "max-keys": "1" } });
        const code = probe.statusCode === 200 ? undefined : await errorCodeOf(probe);
        if (probe.statusCode === 200) await probe.body.dump();
        if (code === "InvalidAccessKeyId" || code === "SignatureDoesNotMatch") throw s3Error({ method: "GET", key: "(bucket)", where: root.uri, status: 403, code });
      } else if (head.statusCode !== 200) {
        throw s3Error({ method: "HEAD", key: "(bucket)", where: root.uri, status: head.statusCode });
      }
    } catch (err) {
      if (ownsDispatcher) await dispatcher.close().catch(() => undefined);
      throw err;
    }
    return new S3Storage(root.uri, root.prefix, client, dispatcher, ownsDispatcher, options);
  }

  #name(key: string): string {
    return this.#prefix === "" ? key : `${this.#prefix}/${key}`;
  }

  async #head(key: string): Promise<Record<string, string | string[] | undefined>> {
    const res = await this.#client.send({ method: "HEAD", object: this.#name(key) });
    await res.body.dump();
    if (res.statusCode !== 200) throw s3Error({ method: "HEAD", key, where: this.uri, status: res.statusCode });
    return res.headers;
  }

  protected async statKey(key: string): Promise<ObjectInfo> {
    const h = await this.#head(key);
    const etag = String(h.etag ?? "");
    return { key, size: Number(h["content-length"] ?? 0), modified: new Date(String(h["last-modified"] ?? 0)), ...(etag === "" ? {} : { etag }) };
  }

  /** The object's `x-amz-meta-*` (names lower-cased). @throws NotFoundError, InvalidKeyError, ClosedError */
  async getMetadata(key: string): Promise<Record<string, string>> {
    const h = await this.#head(this.key(key));
    return Object.fromEntries(Object.entries(h).flatMap(([k, v]) => (k.startsWith("x-amz-meta-") ? [[k.slice(11), String(v)]] : [])));
  }

  /**
   * Replaces the object's user metadata (a copy onto itself with `x-amz-metadata-directive: REPLACE`).
   * @throws NotFoundError, PermissionDeniedError, InvalidKeyError, ClosedError
   */
  async setMetadata(key: string, metadata: Readonly<Record<string, string>>): Promise<void> {
    const k = this.key(key);
    const headers: Record<string, string> = { "x-amz-copy-source": this.#copySource(k), "x-amz-metadata-directive": "REPLACE" };
    for (const [name, value] of Object.entries(metadata)) headers[`x-amz-meta-${name.toLowerCase()}`] = value;
    await this.#copyRequest(k, k, headers);
  }

  protected async openRange(key: string, range: ClampedRange, info: ObjectInfo): Promise<Readable> {
    const first = await this.#get(key, range.start, range.start + range.length - 1, info.etag);
    return Readable.from(this.#resuming(key, first, range, info.etag));
  }

  async #get(key: string, from: number, to: number, etag: string | undefined): Promise<Readable> {
    const headers: Record<string, string> = { range: `bytes=${from}-${to}` };
    if (etag !== undefined) headers["if-match"] = etag;
    const res = await this.#client.send({ method: "GET", object: this.#name(key), headers });
    if (res.statusCode === 412) {
      await res.body.dump();
      throw new ChangedError(`"${key}" in ${this.uri} changed while it was being read; read it again`);
    }
    if (res.statusCode !== 206 && res.statusCode !== 200) throw s3Error({ method: "GET", key, where: this.uri, status: res.statusCode, code: await errorCodeOf(res) });
    if (res.statusCode === 200 && from !== 0) {
      await res.body.dump();
      throw new StorageError(`S3 ignored the Range of a read of "${key}" in ${this.uri}`);
    }
    return res.body as unknown as Readable;
  }

  /** The body, resumed from where it broke with a Range pinned to the ETag. */
  async *#resuming(key: string, body: Readable, range: ClampedRange, etag: string | undefined): AsyncGenerator<Buffer> {
    let position = range.start;
    const end = range.start + range.length - 1;
    let stream = body;
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const chunk of stream) {
          const buf = chunk as Buffer;
          const take = Math.min(buf.length, end - position + 1);
          if (take > 0) yield take === buf.length ? buf : buf.subarray(0, take);
          position += take;
        }
        if (position > end) return;
        throw Object.assign(new Error("terminated"), { code: "UND_ERR_SOCKET" });
      } catch (err) {
        const failure = classifyTransport(err);
        if (failure.code === undefined || attempt >= this.#client.settings.policy.tries) {
          if (failure.code === undefined) throw err;
          throw new StorageError(`the read of "${key}" in ${this.uri} broke off ${attempt} times: ${failure.what}`, { code: failure.code, cause: err });
        }
        stream.destroy();
        await sleep(backoffMs(attempt, this.#client.settings.policy));
        stream = await this.#get(key, position, end, etag);
      }
    }
  }

  protected async writeKey(key: string, source: ByteSource, ifAbsent: boolean): Promise<void> {
    const spool = await this.tempScope.createFile({ prefix: "s3spool" });
    try {
      const digest = await spoolHashed(source, spool.path, this.#client.settings.partSize);
      await this.#upload(key, spool.path, digest, ifAbsent);
    } finally {
      await spool.release();
    }
  }

  /** Uploads the file directly (no spool): hashed in one read, then sent. */
  override async putLocalFile(localPath: string, key: string, options: WriteOptions = {}): Promise<void> {
    const k = this.key(key);
    const path = resolve(localPath);
    let digest: FileDigest;
    try {
      digest = await hashFile(path, this.#client.settings.partSize);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") throw new NotFoundError(path, "the local filesystem (the source of putLocalFile)", { cause: err });
      throw new StorageError(`cannot read local file ${path}: ${(err as Error).message}`, { cause: err });
    }
    if (options.ifAbsent === true && (await this.exists(k))) throw new AlreadyExistsError(k, this.uri);
    await this.#upload(k, path, digest, options.ifAbsent === true);
  }

  async #upload(key: string, path: string, digest: FileDigest, ifAbsent: boolean): Promise<void> {
    const target = { client: this.#client, name: this.#name(key), key, where: this.uri };
    if (!ifAbsent) return uploadFile(target, path, digest, this.#client.settings.partConcurrency);
    // If-None-Match on a PUT is checked by the server; a multipart upload and servers that ignore
    // it are covered by the per-key queue and a HEAD first (exact within this storage)
    return this.#ifAbsent.run(key, async () => {
      if (await this.exists(key)) throw new AlreadyExistsError(key, this.uri);
      const conditional = this.#conditionalPut && digest.parts.length === 1;
      try {
        await uploadFile(target, path, digest, this.#client.settings.partConcurrency, conditional ? { "if-none-match": "*" } : {});
      } catch (err) {
        const message = (err as Error).message;
        if (conditional && /HTTP 501/.test(message)) {
          this.#conditionalPut = false; // the queue and the HEAD above keep ifAbsent exact here
          return uploadFile(target, path, digest, this.#client.settings.partConcurrency);
        }
        if ((err as { code?: string }).code === "E_STORAGE" && /HTTP 412/.test(message)) throw new AlreadyExistsError(key, this.uri, { cause: err });
        throw err;
      }
    });
  }

  protected async deleteKey(key: string): Promise<void> {
    // S3 answers 204 for a missing key too: the contract wants NotFoundError
    await this.#head(key);
    const res = await this.#client.send({ method: "DELETE", object: this.#name(key) });
    if (res.statusCode !== 204 && res.statusCode !== 200) throw s3Error({ method: "DELETE", key, where: this.uri, status: res.statusCode, code: await errorCodeOf(res) });
    await res.body.dump();
  }

  /** `x-amz-copy-source`: /bucket/name, encoded. */
  #copySource(key: string): string {
    return `/${encodeRfc3986(this.#client.bucket)}/${this.#name(key).split("/").map(encodeRfc3986).join("/")}`;
  }

  async #copyRequest(from: string, to: string, headers: Record<string, string>): Promise<void> {
    const res = await this.#client.send({ method: "PUT", object: this.#name(to), headers });
    const text = await res.body.text();
    if (res.statusCode === 200 && !text.includes("<Error>")) return;
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    const status = res.statusCode === 200 ? 500 : res.statusCode;
    throw s3Error({ method: "COPY", key: status === 404 ? from : to, where: this.uri, status, code });
  }

  protected override async copyKey(from: string, to: string, ifAbsent: boolean): Promise<void> {
    if (from === to && !ifAbsent) {
      // S3 refuses a copy onto itself that changes nothing; the object is already what was asked
      await this.#head(from);
      return;
    }
    const copy = (): Promise<void> => this.#copyRequest(from, to, { "x-amz-copy-source": this.#copySource(from) });
    if (!ifAbsent) return copy();
    return this.#ifAbsent.run(to, async () => {
      if (await this.exists(to)) throw new AlreadyExistsError(to, this.uri);
      await copy();
    });
  }

  protected async *listKeys(prefix: string, shallow: boolean): AsyncIterable<string> {
    const rootLength = this.#prefix === "" ? 0 : this.#prefix.length + 1;
    const full = this.#prefix === "" ? prefix : `${this.#prefix}/${prefix}`;
    const fail = (status: number): Error => s3Error({ method: "GET", key: prefix === "" ? "(listing)" : prefix, where: this.uri, status });
    for await (const entry of listAll(this.#client, full, shallow ? "/" : undefined, fail, () => this.assertOpen())) yield entry.name.slice(rootLength);
  }

  /** No capacity (a bucket has none); with `count`, objects and bytes from the listing's sizes. */
  protected async statisticsOf(options: StatisticsOptions): Promise<StorageStatistics> {
    if (options.count !== true) return { capacity: null };
    let objects = 0;
    let bytes = 0;
    const full = this.#prefix === "" ? "" : `${this.#prefix}/`;
    const fail = (status: number): Error => s3Error({ method: "GET", key: "(listing)", where: this.uri, status });
    for await (const entry of listAll(this.#client, full, undefined, fail, () => this.assertOpen())) {
      objects++;
      bytes += entry.size ?? 0;
    }
    return { capacity: null, objects, bytes };
  }

  protected async closeResources(): Promise<void> {
    // not awaited: a stream handed out by readStream may still be read after close
    if (this.#ownsDispatcher) this.#dispatcher.close().catch(() => undefined);
  }
}

/**
 * SwiftStorage: the `swift://` backend — objects in an OpenStack Swift container.
 *
 * @packageDocumentation
 */
import { resolve } from "node:path";
import { Readable } from "node:stream";
import { Agent, type Dispatcher } from "undici";
import { AlreadyExistsError, ClosedError, NotFoundError, StorageError, StorletError } from "../../errors.js";
import { TempScope, type LocalFile } from "../../temp/index.js";
import { checkRange } from "../byte-range.js";
import { normalizeKey, normalizePrefix } from "../keys.js";
import type {
  AvailableOptions,
  ByteRange,
  ListOptions,
  LocalFileOptions,
  ObjectInfo,
  PendingLocalFile,
  RangedObject,
  StatisticsOptions,
  Storage,
  StorageCapabilities,
  StorageCapacity,
  StorageStatistics,
  StorletCall,
  RemoteStorletOutput,
  WriteOptions,
} from "../storage.js";
import { storletBody, storletMetadataOf } from "../storlet-response.js";
import { request } from "undici";
import { availableByStat } from "../statistics.js";
import { stat } from "node:fs/promises";
import { TempLocalFiles } from "../temp-local-files.js";
import { header } from "./auth-session.js";
import { metadataFrom, metadataHeaders } from "./object-metadata.js";
import { authenticateKeystone } from "./auth-keystone.js";
import { authenticateV1 } from "./auth-v1.js";
import { describeCredentials, resolveCredentials, type SwiftCredentials } from "./credentials.js";
import { swiftError } from "./http-errors.js";
import { KeyLock } from "../key-lock.js";
import { md5File, SegmentedMd5, spoolToFile, type Digest } from "../md5.js";
import { bufferSource, fileSource, ObjectWriter } from "./object-writer.js";
import { openContainer } from "./open-container.js";
import { encodeObjectName, SwiftClient } from "./swift-client.js";
import { emptyStream } from "../range-header.js";
import { etagPinnedObject, requireVersion } from "../ranged-object.js";
import { downloadObject, openRange, revalidatedSwiftFile, type DownloadSubject } from "./object-download.js";
import type { UploadSource } from "./slo.js";
import { resolveSwiftSettings, type SwiftSettings, type SwiftStorageOptions } from "./swift-options.js";
import { tracked } from "../pending-tracking.js";
import { countListing, listNames } from "./swift-listing.js";
import { parseSwiftUri, type SwiftRoot } from "./swift-uri.js";
import { TokenManager } from "./token-manager.js";

export type { SwiftStorageOptions } from "./swift-options.js";

/**
 * Objects in a Swift container, below an optional prefix. The same contract as PosixStorage:
 *
 * - every PUT carries the MD5 of its body as `ETag`, so the server refuses (422) what arrives
 *   corrupted; streamed writes are spooled to a temp file first, because the MD5 must precede the
 *   body — which also makes every upload replayable (re-authentication, retries: see `retry`);
 * - objects larger than `segmentSize` go up as Static Large Objects, manifest last;
 * - failed requests are retried with bounded, jittered backoff; reads resume with a Range pinned
 *   by If-Match; a dead or stalled server is an E_CONNECTION / E_TIMEOUT error, never a hang;
 * - `ifAbsent` sends `If-None-Match: *`; Swift checks it before it receives the body, so two
 *   concurrent conditional PUTs could both win: this storage queues its own conditional writes of
 *   one key, which makes `ifAbsent` exact within one storage (not across processes);
 * - downloads for `getLocalFile` are shared refcounted temp files, checked against the ETag; the
 *   registries are kept in the user's disk cache and revalidated (`getLocalFile(key, {revalidate})`).
 *
 * ```ts
 * // credentials from ST_AUTH/ST_USER/ST_KEY or OS_AUTH_URL/OS_USERNAME/OS_PASSWORD/OS_PROJECT_NAME
 * const storage = await SwiftStorage.open("swift://rerun/me", { create: true });
 * await storage.write("config/isr.py", "config.doWrite = True\n");
 * for await (const key of storage.list({ prefix: "config/" })) console.log(key);
 * await storage.close();
 * ```
 */
export class SwiftStorage implements Storage {
  /** Always `swift`. */
  readonly scheme = "swift";
  /** Objects are downloaded to be local; they carry `X-Object-Meta-*`; ranges are HTTP Range GETs. */
  readonly capabilities: StorageCapabilities = { localPath: false, metadata: true, rangedRead: true };
  /** The root, e.g. `swift://rerun/me`, no trailing slash. */
  readonly uri: string;
  readonly #root: SwiftRoot;
  readonly #client: SwiftClient;
  readonly #tokens: TokenManager;
  readonly #who: string;
  readonly #scope: TempScope;
  readonly #ownsScope: boolean;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #files: TempLocalFiles;
  readonly #pending = new Set<PendingLocalFile>();
  readonly #ifAbsent = new KeyLock();
  readonly #segmentSize: number;
  readonly #writer: ObjectWriter;
  /** Whether the storage URL is skybutler's storlet gateway (asked once). */
  #gateway: Promise<boolean> | undefined;
  #closed = false;

  private constructor(init: {
    root: SwiftRoot;
    client: SwiftClient;
    tokens: TokenManager;
    who: string;
    scope: TempScope | undefined;
    dispatcher: Dispatcher;
    ownsDispatcher: boolean;
    settings: SwiftSettings;
  }) {
    this.#root = init.root;
    this.uri = init.root.uri;
    this.#client = init.client;
    this.#tokens = init.tokens;
    this.#who = init.who;
    this.#ownsScope = init.scope === undefined;
    this.#scope = init.scope ?? new TempScope();
    this.#dispatcher = init.dispatcher;
    this.#ownsDispatcher = init.ownsDispatcher;
    this.#segmentSize = init.settings.segmentSize;
    this.#writer = new ObjectWriter({
      client: init.client,
      where: this.uri,
      segmentSize: init.settings.segmentSize,
      segmentConcurrency: init.settings.segmentConcurrency,
      error: (method, key, status, ifAbsent) => this.#error(method, key, status, ifAbsent),
    });
    this.#files = new TempLocalFiles(this.#scope, {
      download: (key, path) => this.#download(key, path),
      upload: (path, key, options, observed) => this.#putFile(path, key, options, observed as SegmentedMd5 | undefined),
      // the ETag must precede the body: hashing as the file is written saves reading it back
      observer: () => new SegmentedMd5(this.#segmentSize),
    });
  }

  /**
   * Opens the storage for a `swift://<container>[/<prefix>]` or Gen2
   * `swift://<host>:<port>/<version>/<tenant>/<container>` URI: authenticates and HEADs the container.
   * @param options - `create: true` makes the container (output repositories); credentials; `tempScope`
   * @throws ConfigError for a malformed URI or missing credentials (naming the variables to set)
   * @throws AuthError when the credentials are refused (naming the auth URL and user, never the secret)
   * @throws NotFoundError when the container does not exist and `create` is not set
   * @throws PermissionDeniedError when the user may not read or create the container
   */
  static async open(uri: string, options: SwiftStorageOptions = {}): Promise<SwiftStorage> {
    const root = parseSwiftUri(uri);
    const credentials = resolveCredentials(options, options.env ?? process.env, root.endpoint);
    const settings = resolveSwiftSettings(options);
    const { policy } = settings;
    const ownsDispatcher = options.dispatcher === undefined;
    // header and body timeouts are also set per request, so a caller's dispatcher gets them too
    const dispatcher =
      options.dispatcher ?? new Agent({ connectTimeout: policy.connectMs, headersTimeout: policy.headersMs, bodyTimeout: policy.bodyMs });
    const tokens = new TokenManager(() => authenticate(credentials, dispatcher));
    const client = new SwiftClient(root.container, tokens, dispatcher, policy);
    const who = describeCredentials(credentials);
    try {
      await openContainer(client, options.create === true, root.uri, who);
    } catch (err) {
      if (ownsDispatcher) await dispatcher.close().catch(() => undefined);
      throw err;
    }
    return new SwiftStorage({ root, client, tokens, who, scope: options.tempScope, dispatcher, ownsDispatcher, settings });
  }

  /** The container name. */
  get container(): string {
    return this.#root.container;
  }

  /** How many times this storage authenticated (diagnostics: tokens are meant to be reused). */
  get authentications(): number {
    return this.#tokens.authentications;
  }

  /** `swift://container/prefix/key`. @throws InvalidKeyError, ClosedError */
  uriOf(key: string): string {
    return `${this.uri}/${encodeObjectName(this.#key(key))}`;
  }

  /** Whether an object exists at the key. @throws InvalidKeyError, PermissionDeniedError, ClosedError */
  async exists(key: string): Promise<boolean> {
    const k = this.#key(key);
    const res = await this.#client.send({ method: "HEAD", object: this.#name(k) });
    await res.body.dump();
    if (res.statusCode === 404) return false;
    if (res.statusCode >= 200 && res.statusCode < 300) return true;
    throw this.#error("HEAD", k, res.statusCode);
  }

  /**
   * Size, time (X-Timestamp, sub-second) and the ETag (the MD5 of the content).
   * @throws NotFoundError, InvalidKeyError, ClosedError
   */
  async stat(key: string): Promise<ObjectInfo> {
    const k = this.#key(key);
    const res = await this.#client.send({ method: "HEAD", object: this.#name(k) });
    await res.body.dump();
    if (res.statusCode !== 200) throw this.#error("HEAD", k, res.statusCode);
    const timestamp = Number(header(res.headers, "x-timestamp"));
    const modified = Number.isFinite(timestamp) ? new Date(timestamp * 1000) : new Date(header(res.headers, "last-modified") ?? 0);
    const etag = header(res.headers, "etag");
    return { key: k, size: Number(header(res.headers, "content-length") ?? 0), modified, ...(etag === undefined ? {} : { etag }) };
  }

  /**
   * The object's user metadata (`X-Object-Meta-*`, names lower-cased).
   * @throws NotFoundError, InvalidKeyError, ClosedError
   */
  async getMetadata(key: string): Promise<Record<string, string>> {
    const k = this.#key(key);
    const res = await this.#client.send({ method: "HEAD", object: this.#name(k) });
    await res.body.dump();
    if (res.statusCode !== 200) throw this.#error("HEAD", k, res.statusCode);
    return metadataFrom(res.headers);
  }

  /**
   * Replaces the object's user metadata with a POST (Swift replaces all of it at once; the
   * content is untouched). A COPY carries the metadata along.
   * @throws NotFoundError, InvalidKeyError (a name or value Swift cannot store), PermissionDeniedError, ClosedError
   */
  async setMetadata(key: string, metadata: Readonly<Record<string, string>>): Promise<void> {
    const k = this.#key(key);
    const res = await this.#client.send({ method: "POST", object: this.#name(k), headers: metadataHeaders(metadata) });
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) throw this.#error("POST", k, res.statusCode);
  }

  /**
   * Runs a storlet next to the object when this Swift is reached through skybutler's storlet
   * gateway (its `/info` has `storlet_handler`): a GET with `X-Run-Storlet`. Undefined without a
   * gateway, for an account without storlets (400) or a storlet not deployed (401): the caller
   * then runs it locally.
   * @throws StorletError when it ran and failed (503); NotFoundError, InvalidKeyError, ClosedError
   */
  async invokeStorlet(key: string, call: StorletCall): Promise<RemoteStorletOutput | undefined> {
    const k = this.#key(key);
    this.#gateway ??= (async () => {
      try {
        const info = await request(`${new URL(await this.#client.storageUrl()).origin}/info`, { dispatcher: this.#dispatcher });
        if (info.statusCode !== 200) {
          await info.body.dump();
          return false;
        }
        return (await info.body.json() as Record<string, unknown>).storlet_handler !== undefined;
      } catch {
        return false;
      }
    })();
    if (!(await this.#gateway)) return undefined;
    const res = await this.#client.send({ method: "GET", object: this.#name(k), query: { ...call.params }, headers: { "x-run-storlet": call.storlet } });
    if (res.statusCode === 200) return { metadata: storletMetadataOf(res.headers), body: storletBody(res.body) };
    const text = (await res.body.text()).slice(0, 200);
    if (res.statusCode === 400 || res.statusCode === 401) return undefined;
    if (res.statusCode === 503 || res.statusCode === 500) throw new StorletError(`storlet ${call.storlet} failed on ${this.uriOf(k)}: ${text}`);
    throw this.#error("GET", k, res.statusCode);
  }

  /** The object or a range of it (a Range GET). @throws NotFoundError, InvalidKeyError, RangeError, ClosedError */
  async read(key: string, range?: ByteRange): Promise<Buffer> {
    return Buffer.concat(await (await this.readStream(key, range)).toArray());
  }

  /**
   * A stream of the object or a range of it; the status is checked before this returns, so a
   * missing key raises here.
   * @throws NotFoundError, InvalidKeyError, RangeError, ClosedError
   */
  async readStream(key: string, range?: ByteRange): Promise<Readable> {
    const k = this.#key(key);
    checkRange(range);
    if (range?.length === 0) {
      // HTTP cannot ask for zero bytes; the key must still exist (as the version pinned)
      requireVersion(range.ifMatch, await this.stat(k), k, this.uri);
      return emptyStream();
    }
    return openRange(this.#subject(k), range);
  }

  /**
   * Ranged reads pinned to the ETag of the version current now: every range is a GET with
   * `If-Match`, and a replacement makes the next one fail with ChangedError (Swift answers 412).
   * @throws NotFoundError, InvalidKeyError, ClosedError
   */
  async openRanged(key: string): Promise<RangedObject> {
    return etagPinnedObject(this, key);
  }

  /** Writes an object (one PUT with its MD5). @throws AlreadyExistsError (with ifAbsent), PermissionDeniedError, InvalidKeyError, ClosedError */
  async write(key: string, data: Uint8Array | string, options: WriteOptions = {}): Promise<void> {
    const k = this.#key(key);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    await this.#put(k, bufferSource(bytes, this.#segmentSize), options.ifAbsent === true);
  }

  /**
   * Writes an object from a stream: spooled to a temp file while hashing (memory stays flat), then
   * uploaded with its MD5. An error of the source is rethrown as is and nothing is uploaded.
   * @throws AlreadyExistsError (with ifAbsent, before the source is read), PermissionDeniedError, InvalidKeyError, ClosedError
   */
  async writeStream(key: string, source: Readable | AsyncIterable<Uint8Array>, options: WriteOptions = {}): Promise<void> {
    const k = this.#key(key);
    // A Readable that fails before it is piped would emit an unhandled 'error' and crash the process.
    const hold = (): void => undefined;
    if (source instanceof Readable) source.on("error", hold);
    try {
      if (options.ifAbsent === true) await this.#refuseExisting(k);
      const spool = await this.#scope.createFile({ prefix: "spool" });
      try {
        const digest = await spoolToFile(source, spool.path, new SegmentedMd5(this.#segmentSize));
        await this.#put(k, fileSource(spool.path, digest), options.ifAbsent === true);
      } finally {
        await spool.release();
      }
    } finally {
      if (source instanceof Readable) source.off("error", hold);
    }
  }

  /** Deletes an object (a large object with its segments). @throws NotFoundError, PermissionDeniedError, InvalidKeyError, ClosedError */
  async delete(key: string): Promise<void> {
    const k = this.#key(key);
    await this.#writer.delete(k, this.#name(k));
  }


  /**
   * Keys below a prefix in ascending UTF-8 byte order (Swift's own order), following the listing's
   * pages with `marker` until an empty page: the server's page limit is not known in advance.
   * @throws InvalidKeyError for a malformed prefix, ClosedError, PermissionDeniedError while iterating
   */
  list(options: ListOptions = {}): AsyncIterable<string> {
    this.#assertOpen();
    const prefix = normalizePrefix(options.prefix);
    const rootLength = this.#root.prefix === "" ? 0 : this.#root.prefix.length + 1;
    const full = this.#root.prefix === "" ? prefix : `${this.#root.prefix}/${prefix}`;
    const fail = (status: number): Error => this.#error("GET", prefix === "" ? "(listing)" : prefix, status);
    return listNames(this.#client, full, rootLength, options.shallow === true, () => this.#assertOpen(), fail);
  }

  /**
   * Copies an object on the server (COPY); the destination appears whole or not at all.
   * @throws NotFoundError for a missing source, AlreadyExistsError (with ifAbsent), PermissionDeniedError, InvalidKeyError, ClosedError
   */
  async copy(from: string, to: string, options: WriteOptions = {}): Promise<void> {
    const source = this.#key(from);
    const dest = this.#key(to);
    const copy = async (): Promise<void> => {
      // The copy middleware applies If-None-Match to the *source*, so ifAbsent is a HEAD of the
      // destination under this storage's per-key queue instead.
      const res = await this.#client.send({
        method: "COPY",
        object: this.#name(source),
        headers: { destination: `${encodeURIComponent(this.container)}/${encodeObjectName(this.#name(dest))}` },
      });
      await res.body.dump();
      if (res.statusCode === 201) return;
      throw this.#error("COPY", res.statusCode === 404 ? source : dest, res.statusCode);
    };
    if (options.ifAbsent !== true) return copy();
    return this.#ifAbsent.run(dest, async () => {
      await this.#refuseExisting(dest);
      await copy();
    });
  }

  /**
   * A refcounted temp file holding the object, shared by concurrent callers and deleted on the last
   * release (or when the temp scope closes). Checked against the ETag. With `revalidate` (the
   * registries a Repository opens every time), the copy is kept in the user's disk cache
   * (`$XDG_CACHE_HOME/skybutler/registries`) beyond this storage's life — and this process's — and
   * revalidated with one conditional GET (304: no download) the next time it is asked for.
   * @throws NotFoundError, InvalidKeyError, ClosedError, StorageError (E_CHECKSUM) for a corrupted download
   */
  async getLocalFile(key: string, options: LocalFileOptions = {}): Promise<LocalFile> {
    const k = this.#key(key);
    if (options.revalidate === true) return revalidatedSwiftFile(this.#subject(k));
    return this.#files.get(k);
  }

  /**
   * Uploads a local file (left in place), with its MD5 as ETag.
   * @throws NotFoundError naming the local path when it is missing
   * @throws AlreadyExistsError (with ifAbsent), PermissionDeniedError, InvalidKeyError, ClosedError
   */
  async putLocalFile(localPath: string, key: string, options: WriteOptions = {}): Promise<void> {
    await this.#putFile(resolve(localPath), this.#key(key), options);
  }

  /**
   * A temp file that `commit()` uploads (with its MD5) and deletes; `abort()`, `await using`
   * without a commit, or `close()` delete it.
   * @param options - `ifAbsent` (checked now and at commit), `suffix` for the temp file name
   * @throws InvalidKeyError, AlreadyExistsError (ifAbsent, early check), ClosedError
   */
  async createLocalFile(key: string, options: WriteOptions & { suffix?: string } = {}): Promise<PendingLocalFile> {
    const k = this.#key(key);
    if (options.ifAbsent === true) await this.#refuseExisting(k);
    return tracked(await this.#files.create(k, options), this.#pending);
  }

  /**
   * The account's figures from its HEAD: `capacity` from the quota (`X-Account-Meta-Quota-Bytes`,
   * set by the operator for the account-quotas middleware) and `X-Account-Bytes-Used`, or null
   * without a quota or when this user may not HEAD the account (a user with container ACLs only);
   * `account` holds the account's own object and byte counts when readable. With `count`, the
   * objects and bytes below this root, from the listing's sizes.
   * @throws PermissionDeniedError (listing refused, with count), StorageError, ClosedError
   */
  async statistics(options: StatisticsOptions = {}): Promise<StorageStatistics> {
    this.#assertOpen();
    const res = await this.#client.send({ method: "HEAD", account: true });
    await res.body.dump();
    let capacity: StorageCapacity | null = null;
    const stats: StorageStatistics = { capacity };
    if (res.statusCode >= 200 && res.statusCode < 300) {
      const used = Number(header(res.headers, "x-account-bytes-used") ?? NaN);
      const quota = Number(header(res.headers, "x-account-meta-quota-bytes") ?? NaN);
      if (Number.isFinite(used) && Number.isFinite(quota) && quota > 0) capacity = { total: quota, used, free: Math.max(0, quota - used) };
      stats.capacity = capacity;
      const objects = Number(header(res.headers, "x-account-object-count") ?? NaN);
      if (Number.isFinite(used) && Number.isFinite(objects)) stats.account = { objects, bytes: used };
    } else if (res.statusCode !== 403 && res.statusCode !== 401) {
      throw this.#error("HEAD", "(account)", res.statusCode);
    }
    if (options.count !== true) return stats;
    const prefix = this.#root.prefix === "" ? "" : `${this.#root.prefix}/`;
    return { ...stats, ...(await countListing(this.#client, prefix, (status) => this.#error("GET", "(listing)", status))) };
  }

  /** Whether the object exists with the expected size and ETag (the MD5). @throws InvalidKeyError, ClosedError */
  async available(key: string, expected?: AvailableOptions): Promise<boolean> {
    return availableByStat(this, key, expected);
  }

  /**
   * Discards uncommitted pending files, deletes this storage's temp files when it owns its scope,
   * forgets the token and closes its connections. Later calls raise ClosedError. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pending = [...this.#pending];
    this.#pending.clear();
    await Promise.all(pending.map((p) => p.abort()));
    this.#tokens.clear();
    if (this.#ownsScope) await this.#scope.close();
    // not awaited: a stream handed out by readStream may still be read after close
    if (this.#ownsDispatcher) this.#dispatcher.close().catch(() => undefined);
  }

  // ------------------------------------------------------------------ internals

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`SwiftStorage ${this.uri}`);
  }

  #key(key: string): string {
    this.#assertOpen();
    return normalizeKey(key);
  }

  /** The object name in the container. */
  #name(key: string): string {
    return this.#root.prefix === "" ? key : `${this.#root.prefix}/${key}`;
  }

  #error(method: string, key: string, status: number, ifAbsent = false): Error {
    return swiftError({ method, key, where: this.uri, status, ifAbsent, who: this.#who });
  }

  async #refuseExisting(key: string): Promise<void> {
    if (await this.exists(key)) throw new AlreadyExistsError(key, this.uri);
  }

  /** One PUT with its MD5, or a large object; `ifAbsent` is queued per key. */
  async #put(key: string, source: UploadSource, ifAbsent: boolean): Promise<void> {
    const put = (): Promise<void> => this.#writer.put(key, this.#name(key), source, ifAbsent);
    return ifAbsent ? this.#ifAbsent.run(key, put) : put();
  }

  async #putFile(path: string, key: string, options: WriteOptions, observed?: SegmentedMd5): Promise<void> {
    let digest: Digest;
    try {
      const seen = observed?.digest();
      // the writer's hashes count only if it showed every byte of the file
      digest = seen !== undefined && seen.size === (await stat(path)).size ? seen : await md5File(path, this.#segmentSize);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") {
        throw new NotFoundError(path, "the local filesystem (the source of putLocalFile)", { cause: err });
      }
      throw new StorageError(`cannot read local file ${path}: ${(err as Error).message}`, { cause: err });
    }
    await this.#put(key, fileSource(path, digest), options.ifAbsent === true);
  }

  async #download(key: string, path: string): Promise<void> {
    await downloadObject(this.#subject(key), path);
  }

  #subject(key: string): DownloadSubject {
    return { client: this.#client, name: this.#name(key), key, where: this.uri, fail: (status) => this.#error("GET", key, status) };
  }
}

function authenticate(credentials: SwiftCredentials, dispatcher: Dispatcher): ReturnType<typeof authenticateV1> {
  return credentials.version === 1 ? authenticateV1(credentials, dispatcher) : authenticateKeystone(credentials, dispatcher);
}

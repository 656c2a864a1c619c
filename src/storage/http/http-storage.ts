/**
 * HttpStorage: the `skybutler+http://HOST:PORT/NAME` (and `+https`) backend — a repository served
 * by `skybutler serve`, through its object API.
 *
 * @packageDocumentation
 */
import { createReadStream } from "node:fs";
import { open, stat as statFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

import { Agent, type Dispatcher } from "undici";
import { AlreadyExistsError, ClosedError, ConfigError, NotFoundError, StorageError } from "../../errors.js";
import { errorFromCode } from "../../error-from-code.js";
import { TempScope, type LocalFile } from "../../temp/index.js";
import { checkRange } from "../byte-range.js";
import { normalizeKey, normalizePrefix } from "../keys.js";
import { md5File, SegmentedMd5 } from "../md5.js";
import { emptyStream, rangeHeader, sliceStream } from "../range-header.js";
import { resolveRetryPolicy, classifyTransport, type RetryOptions, type TimeoutOptions } from "../retry-policy.js";
import { revalidatedLocalFile } from "../revalidated-file.js";
import { etagPinnedObject, requireVersion } from "../ranged-object.js";
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
  StorageOptions,
  StorageStatistics,
  StorletCall,
  RemoteStorletOutput,
  WriteOptions,
} from "../storage.js";
import { storletBody, storletMetadataOf } from "../storlet-response.js";
import { availableByStat } from "../statistics.js";
import { TempLocalFiles } from "../temp-local-files.js";
import { tracked } from "../pending-tracking.js";
import { parseHttpUri, type HttpRoot } from "./http-uri.js";
import { isSecureTransport } from "../url-safety.js";
import { header, ServerClient, type RequestBody } from "./server-client.js";

/** Options of {@link HttpStorage.open}. */
export interface HttpStorageOptions extends StorageOptions {
  /** The server token (`Authorization: Bearer`); default `SKYBUTLER_TOKEN` from the environment. */
  token?: string;
  /** Retries of failed requests. */
  retry?: RetryOptions;
  /** Connect, header and body timeouts. */
  timeouts?: TimeoutOptions;
  /** An undici dispatcher to use instead of the storage's own pool (tests count requests with it). */
  dispatcher?: Dispatcher;
  /** Environment to read `SKYBUTLER_TOKEN` from; default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Send the token over plain HTTP (`skybutler+http://`) to a host other than loopback (default
   * false; also `SKYBUTLER_ALLOW_INSECURE_AUTH=1`): anyone on the way could read it.
   */
  allowInsecureAuth?: boolean;
}

/** MD5 hex → the base64 of Content-MD5. */
const contentMd5 = (hex: string): string => Buffer.from(hex, "hex").toString("base64");

/**
 * A repository on a skybutler server. The same contract as every Storage, over HTTP:
 *
 * - reads are GETs with `Range` (only the bytes asked for travel), stats are HEADs;
 * - writes are PUTs, atomic on the server (its storage's own atomic write); a body whose MD5 is
 *   known (bytes, files) carries `Content-MD5`, checked by the server before it publishes; a
 *   streamed body is sent as it comes, and one cut short is never published;
 * - requests are retried with bounded, jittered backoff where the body can be replayed;
 * - errors come back as the same classes, rebuilt from the server's `{code, message}`;
 * - `getLocalFile(key, {revalidate})` keeps registries in the user's disk cache
 *   (`$XDG_CACHE_HOME/skybutler/registries`) and revalidates them with `If-None-Match` (304: no
 *   download), as SwiftStorage does.
 *
 * ```ts
 * const storage = await HttpStorage.open("skybutler+http://127.0.0.1:4055/testcam", { token: process.env.SKYBUTLER_TOKEN });
 * for await (const key of storage.list({ prefix: "raw/" })) console.log(key);
 * await storage.close();
 * ```
 */
export class HttpStorage implements Storage {
  /** `skybutler+http` or `skybutler+https`. */
  readonly scheme: string;
  /** Objects travel over HTTP: no local path, no metadata (not carried by the object API yet), ranged GETs. */
  readonly capabilities: StorageCapabilities = { localPath: false, metadata: false, rangedRead: true };
  /** The root, e.g. `skybutler+http://127.0.0.1:4055/testcam`. */
  readonly uri: string;
  readonly #root: HttpRoot;
  readonly #client: ServerClient;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #scope: TempScope;
  readonly #ownsScope: boolean;
  readonly #files: TempLocalFiles;
  readonly #pending = new Set<PendingLocalFile>();
  #closed = false;

  private constructor(root: HttpRoot, client: ServerClient, dispatcher: Dispatcher, ownsDispatcher: boolean, scope: TempScope | undefined) {
    this.#root = root;
    this.uri = root.uri;
    this.scheme = root.uri.split(":", 1)[0]!;
    this.#client = client;
    this.#dispatcher = dispatcher;
    this.#ownsDispatcher = ownsDispatcher;
    this.#ownsScope = scope === undefined;
    this.#scope = scope ?? new TempScope();
    this.#files = new TempLocalFiles(this.#scope, {
      download: (key, path) => this.#download(key, path),
      upload: (path, key, options, observed) => this.#putFile(path, key, options, observed as SegmentedMd5 | undefined),
      observer: () => new SegmentedMd5(Infinity),
    });
  }

  /**
   * Opens a repository on a server: asks the server for it (one GET), so a wrong name, host or
   * token fails here. `create` does not apply: a server serves the repositories it was started with.
   * @throws ConfigError for a malformed URI, or a token that would go over plain HTTP off this machine; NotFoundError when the server does not serve the name;
   *   AuthError/PermissionDeniedError when the token is refused; StorageError E_CONNECTION when the server is unreachable
   */
  static async open(uri: string, options: HttpStorageOptions = {}): Promise<HttpStorage> {
    const root = parseHttpUri(uri);
    const policy = resolveRetryPolicy(options.retry, options.timeouts);
    const env = options.env ?? process.env;
    const token = options.token ?? env.SKYBUTLER_TOKEN;
    if (token !== undefined && token !== "" && !isSecureTransport(root.base) && options.allowInsecureAuth !== true && env.SKYBUTLER_ALLOW_INSECURE_AUTH !== "1") {
      throw new ConfigError(
        `refusing to send the server token over plain HTTP to ${root.base}: use skybutler+https, or allow it explicitly ` +
          `(storageOptions.allowInsecureAuth, or SKYBUTLER_ALLOW_INSECURE_AUTH=1) if that network is trusted`,
      );
    }
    const ownsDispatcher = options.dispatcher === undefined;
    const dispatcher = options.dispatcher ?? new Agent({ connectTimeout: policy.connectMs, headersTimeout: policy.headersMs, bodyTimeout: policy.bodyMs });
    const client = new ServerClient(root.base, token === "" ? undefined : token, dispatcher, policy);
    try {
      const res = await client.send({ method: "GET", path: `/api/v1/repos/${encodeURIComponent(root.repo)}` });
      if (res.statusCode !== 200) throw await client.errorOf(res, { key: root.repo, where: root.base });
      await res.body.dump();
    } catch (err) {
      if (ownsDispatcher) await dispatcher.close().catch(() => undefined);
      throw err;
    }
    return new HttpStorage(root, client, dispatcher, ownsDispatcher, options.tempScope);
  }

  /** `skybutler+http://HOST:PORT/NAME/key`. @throws InvalidKeyError, ClosedError */
  uriOf(key: string): string {
    return `${this.uri}/${encodeKey(this.#key(key))}`;
  }

  /** Whether an object exists at the key (a HEAD). @throws InvalidKeyError, PermissionDeniedError, AuthError, ClosedError */
  async exists(key: string): Promise<boolean> {
    const k = this.#key(key);
    const res = await this.#client.send({ method: "HEAD", path: this.#path(k) });
    if (res.statusCode === 200) {
      await res.body.dump();
      return true;
    }
    const err = await this.#client.errorOf(res, this.#subject(k));
    if (err instanceof NotFoundError) return false;
    throw err;
  }

  /** Size, time and validator (a HEAD). @throws NotFoundError, InvalidKeyError, ClosedError */
  async stat(key: string): Promise<ObjectInfo> {
    const k = this.#key(key);
    const res = await this.#client.send({ method: "HEAD", path: this.#path(k) });
    if (res.statusCode !== 200) throw await this.#client.errorOf(res, this.#subject(k));
    await res.body.dump();
    return infoOf(k, res.headers);
  }

  /**
   * Runs a storlet on the server, next to the object (`X-Run-Storlet` on the object's GET): only its
   * output travels. Undefined when the server does not run it for this repository (storlets off,
   * storlet unknown), so the caller runs it locally.
   * @throws StorletError when it ran and failed; NotFoundError, InvalidKeyError, ClosedError
   */
  async invokeStorlet(key: string, call: StorletCall): Promise<RemoteStorletOutput | undefined> {
    const k = this.#key(key);
    const query = new URLSearchParams(call.params).toString();
    const res = await this.#client.send({ method: "GET", path: `${this.#path(k)}${query === "" ? "" : `?${query}`}`, headers: { "x-run-storlet": call.storlet } });
    if (res.statusCode === 200) return { metadata: storletMetadataOf(res.headers), body: storletBody(res.body) };
    const err = await this.#client.errorOf(res, this.#subject(k));
    // storlets disabled for the repository (400), or the storlet unknown there (401): run it locally
    if (res.statusCode === 400 || res.statusCode === 401) return undefined;
    throw err;
  }

  /**
   * The statistics of the storage the server keeps this repository on (one GET).
   * @throws AuthError, PermissionDeniedError, ClosedError, StorageError when the server cannot tell
   */
  async statistics(options: StatisticsOptions = {}): Promise<StorageStatistics> {
    this.#assertOpen();
    const query = options.count === true ? "?count=1" : "";
    const res = await this.#client.send({ method: "GET", path: `/api/v1/repos/${encodeURIComponent(this.#root.repo)}/statistics${query}` });
    if (res.statusCode !== 200) throw await this.#client.errorOf(res, { key: this.#root.repo, where: this.#root.base });
    return (await res.body.json()) as StorageStatistics;
  }

  /** Whether the object is there with the expected size and validator (a HEAD). @throws InvalidKeyError, ClosedError */
  async available(key: string, expected?: AvailableOptions): Promise<boolean> {
    return availableByStat(this, key, expected);
  }

  /** The object or a range of it (a Range GET). @throws NotFoundError, InvalidKeyError, RangeError, ClosedError */
  async read(key: string, range?: ByteRange): Promise<Buffer> {
    return Buffer.concat(await (await this.readStream(key, range)).toArray());
  }

  /**
   * A stream of the object or a range; the status is checked before this returns. A connection
   * lost mid-body fails the stream with StorageError E_CONNECTION / E_TIMEOUT.
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
    const wanted = rangeHeader(range);
    const headers: Record<string, string> = {};
    if (wanted !== undefined) headers.range = wanted;
    // the server answers 412 E_CHANGED for another version (a ChangedError here)
    if (range?.ifMatch !== undefined) headers["if-match"] = `"${range.ifMatch}"`;
    const res = await this.#client.send({ method: "GET", path: this.#path(k), headers });
    if (res.statusCode === 416) {
      await res.body.dump();
      return emptyStream();
    }
    if (res.statusCode === 206 || (res.statusCode === 200 && wanted === undefined)) return typedBody(res, this.#subject(k));
    if (res.statusCode === 200 && range !== undefined) return sliceStream(typedBody(res, this.#subject(k)), range, Number(header(res.headers, "content-length") ?? 0));
    throw await this.#client.errorOf(res, this.#subject(k));
  }

  /**
   * Ranged reads pinned to the ETag of the version current now: every range is a GET with
   * `If-Match`, and a replacement makes the next one fail with ChangedError.
   * @throws NotFoundError, InvalidKeyError, ClosedError
   */
  async openRanged(key: string): Promise<RangedObject> {
    return etagPinnedObject(this, key);
  }

  /** Writes an object (one PUT with its Content-MD5). @throws AlreadyExistsError (with ifAbsent), PermissionDeniedError, InvalidKeyError, ClosedError */
  async write(key: string, data: Uint8Array | string, options: WriteOptions = {}): Promise<void> {
    const k = this.#key(key);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const md5 = new SegmentedMd5(Infinity);
    md5.update(bytes);
    await this.#put(k, bytes, { "content-md5": contentMd5(md5.digest().segments[0]!), "content-length": String(bytes.length) }, options);
  }

  /**
   * Writes an object from a stream, sent as it comes (memory stays flat); the server publishes it
   * only when the whole body arrived. An error of the source is rethrown as is and nothing is stored.
   * @throws AlreadyExistsError (with ifAbsent, before the source is read), PermissionDeniedError, InvalidKeyError, ClosedError
   */
  async writeStream(key: string, source: Readable | AsyncIterable<Uint8Array>, options: WriteOptions = {}): Promise<void> {
    const k = this.#key(key);
    // A Readable that fails before it is piped would emit an unhandled 'error' and crash the process.
    const hold = (): void => undefined;
    if (source instanceof Readable) source.on("error", hold);
    let sourceError: { error: unknown } | undefined;
    async function* guarded(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of source) yield typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Uint8Array);
      } catch (error) {
        sourceError = { error };
        throw error;
      }
    }
    try {
      if (options.ifAbsent === true && (await this.exists(k))) throw new AlreadyExistsError(k, this.uri);
      try {
        await this.#put(k, { once: Readable.from(guarded(), { objectMode: false }) }, {}, options);
      } catch (err) {
        if (sourceError !== undefined) throw sourceError.error;
        throw err;
      }
      if (sourceError !== undefined) throw sourceError.error;
    } finally {
      if (source instanceof Readable) source.off("error", hold);
    }
  }

  /** Deletes an object. @throws NotFoundError, PermissionDeniedError, InvalidKeyError, ClosedError */
  async delete(key: string): Promise<void> {
    const k = this.#key(key);
    const res = await this.#client.send({ method: "DELETE", path: this.#path(k) });
    if (res.statusCode !== 204 && res.statusCode !== 200) throw await this.#client.errorOf(res, this.#subject(k));
    await res.body.dump();
  }

  /**
   * Keys below a prefix in the server storage's order, read from the NDJSON listing as it streams.
   * @throws InvalidKeyError for a malformed prefix (when called), ClosedError; the server's error while iterating
   */
  list(options: ListOptions = {}): AsyncIterable<string> {
    this.#assertOpen();
    const prefix = normalizePrefix(options.prefix);
    const query = new URLSearchParams({ prefix, ...(options.shallow === true ? { shallow: "1" } : {}) });
    const path = `/api/v1/repos/${encodeURIComponent(this.#root.repo)}/objects?${query.toString()}`;
    const client = this.#client;
    const subject = { key: prefix === "" ? "(listing)" : prefix, where: this.uri };
    const assertOpen = (): void => this.#assertOpen();
    return {
      async *[Symbol.asyncIterator]() {
        assertOpen();
        const res = await client.send({ method: "GET", path });
        if (res.statusCode !== 200) throw await client.errorOf(res, subject);
        let rest = "";
        const parse = (line: string): string => {
          const value = JSON.parse(line) as unknown;
          if (typeof value === "string") return value;
          const error = (value as { error?: { code: string; message: string } }).error;
          throw errorFromCode(error?.code ?? "E_STORAGE", error?.message ?? `${subject.where}: malformed listing line`);
        };
        try {
          for await (const chunk of typedBody(res, subject)) {
            const lines = (rest + (chunk as Buffer).toString("utf8")).split("\n");
            rest = lines.pop()!;
            for (const line of lines) if (line !== "") yield parse(line);
          }
          if (rest !== "") yield parse(rest);
        } finally {
          res.body.destroy();
        }
      },
    };
  }

  /** Copies an object on the server. @throws NotFoundError (missing source), AlreadyExistsError, PermissionDeniedError, InvalidKeyError, ClosedError */
  async copy(from: string, to: string, options: WriteOptions = {}): Promise<void> {
    const source = this.#key(from);
    const dest = this.#key(to);
    const headers: Record<string, string> = { "x-copy-from": encodeURIComponent(source) };
    if (options.ifAbsent === true) headers["if-none-match"] = "*";
    const res = await this.#client.send({ method: "PUT", path: this.#path(dest), headers, body: Buffer.alloc(0) });
    if (res.statusCode === 201) return void (await res.body.dump());
    const err = await this.#client.errorOf(res, this.#subject(dest));
    // the server reports the missing source with its own key
    if (err instanceof NotFoundError && (err as NotFoundError).key === dest) throw new NotFoundError(source, this.uri);
    throw err;
  }

  /**
   * A refcounted local copy of the object (a download into a temp file, checked against its length
   * and, when the ETag is an MD5, its content). With `revalidate` the copy is kept in the user's
   * disk cache and revalidated with `If-None-Match` the next time, by this process or another.
   * @throws NotFoundError, InvalidKeyError, ClosedError, StorageError (E_CHECKSUM) for a corrupted download
   */
  async getLocalFile(key: string, options: LocalFileOptions = {}): Promise<LocalFile> {
    const k = this.#key(key);
    if (options.revalidate !== true) return this.#files.get(k);
    const id = `${this.#root.base}${this.#path(k)}`;
    return revalidatedLocalFile(id, extname(k), async (etag) => {
      const res = await this.#client.send({ method: "GET", path: this.#path(k), ...(etag === undefined ? {} : { headers: { "if-none-match": etag } }) });
      if (res.statusCode === 304 && etag !== undefined) return { notModified: true, done: () => res.body.dump() };
      if (res.statusCode !== 200) throw await this.#client.errorOf(res, this.#subject(k));
      const length = header(res.headers, "content-length");
      return {
        notModified: false,
        etag: header(res.headers, "etag"),
        size: length === undefined ? undefined : Number(length),
        receive: (path) => this.#receive(res, path, k),
        cancel: () => res.body.dump(),
      };
    });
  }

  /**
   * Uploads a local file (left in place) with its Content-MD5.
   * @throws NotFoundError naming the local path when it is missing; AlreadyExistsError (with ifAbsent), PermissionDeniedError, InvalidKeyError, ClosedError
   */
  async putLocalFile(localPath: string, key: string, options: WriteOptions = {}): Promise<void> {
    await this.#putFile(resolve(localPath), this.#key(key), options);
  }

  /**
   * A temp file that `commit()` uploads (hashed as it is written, when the writer says so).
   * @throws InvalidKeyError, AlreadyExistsError (ifAbsent, early check), ClosedError
   */
  async createLocalFile(key: string, options: WriteOptions & { suffix?: string } = {}): Promise<PendingLocalFile> {
    const k = this.#key(key);
    if (options.ifAbsent === true && (await this.exists(k))) throw new AlreadyExistsError(k, this.uri);
    return tracked(await this.#files.create(k, options), this.#pending);
  }

  /** Discards uncommitted pending files and temp files, closes the connections. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pending = [...this.#pending];
    this.#pending.clear();
    await Promise.all(pending.map((p) => p.abort()));
    if (this.#ownsScope) await this.#scope.close();
    // not awaited: a stream handed out by readStream may still be read after close
    if (this.#ownsDispatcher) this.#dispatcher.close().catch(() => undefined);
  }

  // ------------------------------------------------------------------ internals

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`HttpStorage ${this.uri}`);
  }

  #key(key: string): string {
    this.#assertOpen();
    return normalizeKey(key);
  }

  #path(key: string): string {
    return `/api/v1/repos/${encodeURIComponent(this.#root.repo)}/objects/${encodeKey(key)}`;
  }

  #subject(key: string): { key: string; where: string } {
    return { key, where: this.uri };
  }

  async #put(key: string, body: RequestBody, headers: Record<string, string>, options: WriteOptions): Promise<void> {
    const all = { ...headers, "content-type": "application/octet-stream", ...(options.ifAbsent === true ? { "if-none-match": "*" } : {}) };
    const res = await this.#client.send({ method: "PUT", path: this.#path(key), headers: all, body });
    if (res.statusCode === 201) return void (await res.body.dump());
    throw await this.#client.errorOf(res, this.#subject(key));
  }

  async #putFile(path: string, key: string, options: WriteOptions, observed?: SegmentedMd5): Promise<void> {
    let md5: string;
    let size: number;
    try {
      size = (await statFile(path)).size;
      const seen = observed?.digest();
      // the writer's hash counts only if it saw every byte of the file
      md5 = seen !== undefined && seen.size === size ? seen.segments[0]! : (await md5File(path)).segments[0]!;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") throw new NotFoundError(path, "the local filesystem (the source of putLocalFile)", { cause: err });
      throw new StorageError(`cannot read local file ${path}: ${(err as Error).message}`, { cause: err });
    }
    await this.#put(key, () => createReadStream(path, { highWaterMark: 1 << 20 }), { "content-md5": contentMd5(md5), "content-length": String(size) }, options);
  }

  async #download(key: string, path: string): Promise<void> {
    const res = await this.#client.send({ method: "GET", path: this.#path(key) });
    if (res.statusCode !== 200) throw await this.#client.errorOf(res, this.#subject(key));
    await this.#receive(res, path, key);
  }

  /** Writes a 200 body into the existing file and checks its length and (for an MD5 ETag) its MD5. */
  async #receive(res: Dispatcher.ResponseData, path: string, key: string): Promise<{ etag: string | undefined; size: number }> {
    const hasher = new SegmentedMd5(Infinity);
    const handle = await open(path, "r+");
    await pipeline(
      typedBody(res, this.#subject(key)),
      new Transform({
        transform(chunk: Buffer, _e, done) {
          hasher.update(chunk);
          done(null, chunk);
        },
      }),
      handle.createWriteStream(),
    );
    const { size, segments } = hasher.digest();
    const length = header(res.headers, "content-length");
    const etag = etagOf(res.headers);
    const corrupt = (length !== undefined && Number(length) !== size) || (etag !== undefined && /^[0-9a-f]{32}$/.test(etag) && etag !== segments[0]);
    if (corrupt) throw new StorageError(`the download of "${key}" from ${this.uri} does not match its length or MD5; try again`, { code: "E_CHECKSUM" });
    return { etag: header(res.headers, "etag"), size };
  }
}

/** Percent-encodes a key segment by segment, keeping the `/` separators. */
function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

/** The storage validator of a response (quotes removed). */
function etagOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  return header(headers, "etag")?.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

function infoOf(key: string, headers: Record<string, string | string[] | undefined>): ObjectInfo {
  const precise = header(headers, "x-object-modified");
  const modified = new Date(precise ?? header(headers, "last-modified") ?? 0);
  const etag = etagOf(headers);
  return { key, size: Number(header(headers, "content-length") ?? 0), modified, ...(etag === undefined ? {} : { etag }) };
}

/** A response body whose transport failures (the server went away mid-body) are typed errors. */
function typedBody(res: Dispatcher.ResponseData, s: { key: string; where: string }): Readable {
  const body = res.body as unknown as Readable;
  const out = new Transform({
    transform(chunk, _e, done) {
      done(null, chunk);
    },
  });
  body.on("error", (err) => {
    const failure = classifyTransport(err);
    out.destroy(
      new StorageError(`reading "${s.key}" from ${s.where} was interrupted: ${failure.what}; try again`, { code: failure.code ?? "E_CONNECTION", cause: err }),
    );
  });
  // a consumer that stops reading must not leave the connection busy
  out.once("close", () => {
    if (!body.readableEnded) body.destroy();
  });
  return body.pipe(out);
}

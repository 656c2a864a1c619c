/**
 * Requests to a skybutler server over undici: the Bearer token on each, bounded and jittered
 * retries where a retry cannot repeat an effect twice (reads; writes whose body can be sent again
 * from its first byte), and the server's `{code, message}` errors rebuilt as the same classes.
 *
 * @packageDocumentation
 */
import type { Readable } from "node:stream";
import { request, type Dispatcher } from "undici";
import { errorFromCode, isErrorCode } from "../../error-from-code.js";
import { AlreadyExistsError, AuthError, NotFoundError, PermissionDeniedError, StorageError } from "../../errors.js";
import { backoffMs, classifyTransport, isRetryableStatus, retryAfterMs, sleep, type RetryPolicy } from "../retry-policy.js";

/** A body that can be sent again (bytes, or a factory of fresh streams), or a one-shot stream. */
export type RequestBody = Buffer | (() => Readable) | { once: Readable | AsyncIterable<Uint8Array> };

/** One request. */
export interface ServerRequest {
  method: "GET" | "HEAD" | "PUT" | "DELETE";
  /** Path and query below the server's base URL, already encoded. */
  path: string;
  headers?: Record<string, string>;
  body?: RequestBody;
}

/** What a failed request was about, for messages. */
export interface Subject {
  key: string;
  where: string;
}

/** Header value as one string. */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * ```ts
 * const client = new ServerClient("http://127.0.0.1:4055", token, agent, resolveRetryPolicy());
 * const res = await client.send({ method: "HEAD", path: "/api/v1/repos/cam/objects/raw/v1.fits" });
 * ```
 */
export class ServerClient {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #dispatcher: Dispatcher;
  readonly #policy: RetryPolicy;

  /**
   * @param base - `http(s)://HOST:PORT`
   * @param token - sent as `Authorization: Bearer`; never in a message
   * @param dispatcher - undici dispatcher (connection pool, timeouts)
   * @param policy - retries and timeouts
   */
  constructor(base: string, token: string | undefined, dispatcher: Dispatcher, policy: RetryPolicy) {
    this.#base = base;
    this.#token = token;
    this.#dispatcher = dispatcher;
    this.#policy = policy;
  }

  /**
   * Sends a request; retries connection failures, timeouts, 5xx and 429 with jittered backoff
   * within the policy's bounds — any request whose body can be replayed, and a one-shot body only
   * when nothing of it can have left. The caller consumes or dumps the body.
   * @throws StorageError E_CONNECTION / E_TIMEOUT when the server cannot be reached or stalls,
   *   E_UNAVAILABLE when it still answers 5xx/429 after the last attempt
   */
  async send(req: ServerRequest): Promise<Dispatcher.ResponseData> {
    const started = Date.now();
    const replayable = req.body === undefined || !("once" in (req.body as object));
    const what = `${req.method} ${this.#base}${req.path.split("?")[0]}`;
    for (let attempt = 1; ; attempt++) {
      let res: Dispatcher.ResponseData;
      try {
        res = await this.#sendOnce(req);
      } catch (err) {
        const failure = classifyTransport(err);
        if (failure.code === undefined) throw err;
        const delay = backoffMs(attempt, this.#policy);
        const again = (replayable || !failure.mayHaveArrived) && this.#mayRetry(attempt, started, delay);
        if (!again) {
          throw new StorageError(`${what} failed after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${failure.what}; check that the server is up`, { code: failure.code, cause: err });
        }
        await sleep(delay);
        continue;
      }
      if (isRetryableStatus(res.statusCode) && replayable) {
        const told = retryAfterMs(header(res.headers, "retry-after"));
        const delay = told ?? backoffMs(attempt, this.#policy);
        if (this.#mayRetry(attempt, started, delay)) {
          await res.body.dump();
          await sleep(delay);
          continue;
        }
      }
      return res;
    }
  }

  /**
   * The error for a failed response: the server's `{code, message}` rebuilt as its class (a
   * NotFoundError of the key asked for is made here, naming this storage's URI); for a response
   * without a body (HEAD) the code comes from `X-Skybutler-Error`, else from the status.
   */
  async errorOf(res: Dispatcher.ResponseData, s: Subject): Promise<Error> {
    let body: { code?: unknown; message?: unknown; details?: Record<string, unknown> } | undefined;
    try {
      body = (await res.body.json()) as typeof body;
    } catch {
      body = undefined;
    }
    const code = typeof body?.code === "string" ? body.code : header(res.headers, "x-skybutler-error");
    const message = typeof body?.message === "string" ? body.message : undefined;
    const details = body?.details ?? {};
    if (code === "E_NOT_FOUND" && (details.key === undefined || details.key === s.key)) return new NotFoundError(s.key, s.where);
    if (code === "E_ALREADY_EXISTS") return new AlreadyExistsError(s.key, s.where);
    if (code !== undefined && isErrorCode(code) && message !== undefined) return errorFromCode(code, message, details);
    switch (res.statusCode) {
      case 404:
        return new NotFoundError(s.key, s.where);
      case 403:
        return new PermissionDeniedError(s.key, s.where);
      case 401:
        return new AuthError(`${s.where} refused the token (HTTP 401); set storageOptions.token or SKYBUTLER_TOKEN to a token of this server`);
      case 412:
        return new AlreadyExistsError(s.key, s.where);
    }
    const known = code !== undefined && isErrorCode(code) ? code : "E_STORAGE";
    return errorFromCode(known, `${s.where}: "${s.key}" failed with HTTP ${res.statusCode}`, { key: s.key });
  }

  #mayRetry(attempt: number, started: number, delay: number): boolean {
    return attempt < this.#policy.tries && Date.now() - started + delay <= this.#policy.maxElapsedMs;
  }

  async #sendOnce(req: ServerRequest): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { ...req.headers };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    const raw = req.body;
    const body = raw === undefined ? undefined : typeof raw === "function" ? raw() : "once" in raw ? raw.once : raw;
    try {
      return await request(`${this.#base}${req.path}`, {
        method: req.method,
        headers,
        ...(body === undefined ? {} : { body: body as Readable }),
        dispatcher: this.#dispatcher,
        headersTimeout: this.#policy.headersMs,
        bodyTimeout: this.#policy.bodyMs,
        // large bodies in fewer, larger chunks: less per-chunk work on both sides of the stream
        highWaterMark: 1 << 20,
      });
    } catch (err) {
      if (body !== undefined && typeof body === "object" && "destroy" in body) (body as Readable).destroy();
      throw err;
    }
  }
}

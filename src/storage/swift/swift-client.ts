/**
 * A small Swift object-API client over undici: authenticated requests on one container, with one
 * re-authentication when the server refuses the token, and bounded, jittered retries of connection
 * failures, timeouts, 5xx and 429 (see `retry-policy.ts`).
 *
 * @packageDocumentation
 */
import type { Readable } from "node:stream";
import { request, type Dispatcher } from "undici";
import { StorageError } from "../../errors.js";
import { header, type AuthSession } from "./auth-session.js";
import { backoffMs, classifyTransport, isRetryableStatus, retryAfterMs, sleep, type RetryPolicy } from "../retry-policy.js";
import type { TokenManager } from "./token-manager.js";

/**
 * A request body that can be sent again — after a 401, a dropped connection, a 503: bytes, or a
 * factory of fresh streams (a file on disk). A one-shot stream is deliberately not accepted: a
 * retried streamed PUT is how lsst/resources once stored partial objects, so every body this
 * client sends can be replayed from its first byte, and every request may therefore be retried.
 */
export type ReplayableBody = Buffer | Uint8Array | string | (() => Readable);

/** One request on the container or one of its objects. */
export interface SwiftRequest {
  method: "HEAD" | "GET" | "PUT" | "POST" | "DELETE" | "COPY";
  /** Full object name in the container; omitted for the container itself. */
  object?: string;
  /** Another container of the account (the `_segments` one); default the client's own. */
  container?: string;
  /** The account itself (its HEAD carries the bytes used and the quota); `object` and `container` are ignored. */
  account?: boolean;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: ReplayableBody;
}

/** A response, and what it took to get it. */
export interface SwiftResponse extends Dispatcher.ResponseData {
  /** Attempts made, this one included (a re-authentication is not counted). */
  attempts: number;
  /**
   * Whether an earlier attempt failed after the request may have reached the server: its effect
   * may already be there (a PUT stored, a DELETE done), so a 412 or 404 now may be our own doing.
   */
  uncertain: boolean;
}

/** Percent-encodes an object name segment by segment, keeping the `/` separators. */
export function encodeObjectName(name: string): string {
  return name.split("/").map(encodeURIComponent).join("/");
}

/**
 * Requests against one container of the authenticated account.
 *
 * ```ts
 * const client = new SwiftClient("rawdata", tokens, agent, resolveRetryPolicy());
 * const res = await client.send({ method: "HEAD", object: "hsc/raw/v1.fits" });
 * await res.body.dump();
 * ```
 */
export class SwiftClient {
  readonly #container: string;
  readonly #tokens: TokenManager;
  readonly #dispatcher: Dispatcher;
  readonly #policy: RetryPolicy;

  /**
   * @param container - the container every request goes to
   * @param tokens - the storage's token manager
   * @param dispatcher - undici dispatcher (connection pool, timeouts, test interceptors)
   * @param policy - retries and timeouts
   */
  constructor(container: string, tokens: TokenManager, dispatcher: Dispatcher, policy: RetryPolicy) {
    this.#container = container;
    this.#tokens = tokens;
    this.#dispatcher = dispatcher;
    this.#policy = policy;
  }

  /** The container name. */
  get container(): string {
    return this.#container;
  }

  /** The retry and timeout settings. */
  get policy(): RetryPolicy {
    return this.#policy;
  }

  /** The path of an object (or of a container) below the storage URL, percent-encoded. */
  pathOf(object?: string, container = this.#container): string {
    const c = encodeURIComponent(container);
    return object === undefined ? `/${c}` : `/${c}/${encodeObjectName(object)}`;
  }

  /**
   * The account's storage URL (authenticating if needed): the identity of what a key names.
   * @throws AuthError/ConfigError from authentication
   */
  async storageUrl(): Promise<string> {
    return (await this.#tokens.session()).storageUrl;
  }

  /**
   * Sends a request with the current token. A 401 renews the token once (shared with concurrent
   * requests) and sends again; a second 401 is returned. Connection failures, timeouts, 5xx and
   * 429 are retried with jittered exponential backoff (Retry-After honoured) within the policy's
   * count and time bounds. The caller must consume or dump the body.
   * @throws StorageError E_CONNECTION / E_TIMEOUT when the server cannot be reached or stalls,
   *   E_UNAVAILABLE when it still answers 5xx/429 after the last attempt (each naming the attempts);
   *   AuthError/ConfigError from authentication
   */
  async send(req: SwiftRequest): Promise<SwiftResponse> {
    const started = Date.now();
    const what = `${req.method} ${req.account === true ? "(account)" : this.pathOf(req.object, req.container)}`;
    let session = await this.#tokens.session();
    let renewed = false;
    let uncertain = false;
    for (let attempt = 1; ; attempt++) {
      let response: Dispatcher.ResponseData;
      try {
        response = await this.#sendOnce(session, req);
      } catch (err) {
        const failure = classifyTransport(err);
        if (failure.code === undefined) throw new StorageError(`Swift ${what} failed: ${failure.what}`, { cause: err });
        const delay = backoffMs(attempt, this.#policy);
        if (!this.#mayRetry(attempt, started, delay)) {
          throw new StorageError(`${giveUp(what, attempt, started)}: ${failure.what}; check that the server is up and reachable`, { code: failure.code, cause: err });
        }
        uncertain ||= failure.mayHaveArrived;
        await sleep(delay);
        continue;
      }
      if (response.statusCode === 401 && !renewed) {
        await response.body.dump();
        renewed = true;
        session = await this.#tokens.renew(session);
        attempt--; // a re-authentication is not a failure of the server
        continue;
      }
      if (isRetryableStatus(response.statusCode)) {
        const status = response.statusCode;
        await response.body.dump();
        const told = retryAfterMs(header(response.headers, "retry-after"));
        const delay = told ?? backoffMs(attempt, this.#policy);
        if (!this.#mayRetry(attempt, started, delay)) {
          const hint = told !== undefined && told > this.#policy.maxElapsedMs ? ` (it asked to wait ${Math.round(told / 1000)} s)` : "";
          throw new StorageError(`${giveUp(what, attempt, started)}: HTTP ${status}${hint}; the server is overloaded or unavailable, try again later`, { code: "E_UNAVAILABLE" });
        }
        // a 5xx to a write may come after some replicas stored it (no quorum); a 429 did nothing
        uncertain ||= status !== 429 && req.method !== "GET" && req.method !== "HEAD";
        await sleep(delay);
        continue;
      }
      return Object.assign(response, { attempts: attempt, uncertain });
    }
  }

  /** Another attempt is allowed when the count and the total time (including the wait) permit. */
  #mayRetry(attempt: number, started: number, delay: number): boolean {
    return attempt < this.#policy.tries && Date.now() - started + delay <= this.#policy.maxElapsedMs;
  }

  async #sendOnce(session: AuthSession, req: SwiftRequest): Promise<Dispatcher.ResponseData> {
    const query = req.query === undefined ? "" : `?${new URLSearchParams(req.query).toString()}`;
    const url = `${session.storageUrl}${req.account === true ? "" : this.pathOf(req.object, req.container)}${query}`;
    // a fresh stream per attempt: the body is replayed from its first byte, never resumed
    const body = typeof req.body === "function" ? req.body() : req.body;
    try {
      return await request(url, {
        method: req.method,
        headers: { ...req.headers, "x-auth-token": session.token },
        ...(body === undefined ? {} : { body }),
        dispatcher: this.#dispatcher,
        headersTimeout: this.#policy.headersMs,
        bodyTimeout: this.#policy.bodyMs,
      });
    } catch (err) {
      if (body !== undefined && typeof body === "object" && "destroy" in body) body.destroy();
      throw err;
    }
  }

}

function giveUp(what: string, attempts: number, started: number): string {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return `Swift ${what} failed after ${attempts} attempt${attempts === 1 ? "" : "s"} in ${seconds} s`;
}

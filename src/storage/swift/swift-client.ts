/**
 * A small Swift object-API client over undici: authenticated requests on one container, with one
 * re-authentication and one retry when the server refuses the token.
 *
 * @packageDocumentation
 */
import type { Readable } from "node:stream";
import { request, type Dispatcher } from "undici";
import { StorageError } from "../../errors.js";
import type { AuthSession } from "./auth-session.js";
import type { TokenManager } from "./token-manager.js";

/**
 * A request body that can be sent again (after a 401): bytes, or a factory of fresh streams (a file
 * on disk). A one-shot stream is deliberately not accepted.
 */
export type ReplayableBody = Buffer | Uint8Array | string | (() => Readable);

/** One request on the container or one of its objects. */
export interface SwiftRequest {
  method: "HEAD" | "GET" | "PUT" | "POST" | "DELETE" | "COPY";
  /** Full object name in the container; omitted for the container itself. */
  object?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: ReplayableBody;
}

/** One entry of a JSON container listing: an object, or a rolled-up `subdir` with a delimiter. */
export interface ListingEntry {
  name?: string;
  subdir?: string;
  bytes?: number;
  hash?: string;
  last_modified?: string;
  content_type?: string;
}

/** Percent-encodes an object name segment by segment, keeping the `/` separators. */
export function encodeObjectName(name: string): string {
  return name.split("/").map(encodeURIComponent).join("/");
}

/**
 * Requests against one container of the authenticated account.
 *
 * ```ts
 * const client = new SwiftClient("rawdata", tokens, agent);
 * const res = await client.send({ method: "HEAD", object: "hsc/raw/v1.fits" });
 * await res.body.dump();
 * ```
 */
export class SwiftClient {
  readonly #container: string;
  readonly #tokens: TokenManager;
  readonly #dispatcher: Dispatcher;

  /**
   * @param container - the container every request goes to
   * @param tokens - the storage's token manager
   * @param dispatcher - undici dispatcher (connection pool, timeouts, test interceptors)
   */
  constructor(container: string, tokens: TokenManager, dispatcher: Dispatcher) {
    this.#container = container;
    this.#tokens = tokens;
    this.#dispatcher = dispatcher;
  }

  /** The container name. */
  get container(): string {
    return this.#container;
  }

  /** The path of an object (or of the container) below the storage URL, percent-encoded. */
  pathOf(object?: string): string {
    const c = encodeURIComponent(this.#container);
    return object === undefined ? `/${c}` : `/${c}/${encodeObjectName(object)}`;
  }

  /**
   * Sends a request with the current token. When the server answers 401, the token is renewed once
   * (shared with concurrent requests) and the request sent once more; a second 401 is returned to
   * the caller. The caller must consume or dump the body.
   * @throws StorageError when the server cannot be reached; AuthError/ConfigError from authentication
   */
  async send(req: SwiftRequest): Promise<Dispatcher.ResponseData> {
    let session = await this.#tokens.session();
    let response = await this.#sendOnce(session, req);
    if (response.statusCode === 401) {
      await response.body.dump();
      session = await this.#tokens.renew(session);
      response = await this.#sendOnce(session, req);
    }
    return response;
  }

  async #sendOnce(session: AuthSession, req: SwiftRequest): Promise<Dispatcher.ResponseData> {
    const query = req.query === undefined ? "" : `?${new URLSearchParams(req.query).toString()}`;
    const url = `${session.storageUrl}${this.pathOf(req.object)}${query}`;
    const body = typeof req.body === "function" ? req.body() : req.body;
    try {
      return await request(url, {
        method: req.method,
        headers: { ...req.headers, "x-auth-token": session.token },
        ...(body === undefined ? {} : { body }),
        dispatcher: this.#dispatcher,
      });
    } catch (err) {
      if (body !== undefined && typeof body === "object" && "destroy" in body) body.destroy();
      // the undici message names the host and the failure (ECONNREFUSED …), never a header
      throw new StorageError(`cannot reach Swift for ${req.method} ${this.pathOf(req.object)}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * One page of a JSON listing after `marker`.
   * @returns the entries and the HTTP status (404: no container, 403: no listing permission)
   */
  async listPage(prefix: string, delimiter: string | undefined, marker: string): Promise<{ status: number; entries: ListingEntry[] }> {
    const query: Record<string, string> = { format: "json", prefix };
    if (delimiter !== undefined) query.delimiter = delimiter;
    if (marker !== "") query.marker = marker;
    const response = await this.send({ method: "GET", query });
    if (response.statusCode !== 200) {
      await response.body.dump();
      return { status: response.statusCode, entries: [] };
    }
    return { status: 200, entries: (await response.body.json()) as ListingEntry[] };
  }
}

/**
 * A small S3 REST client: SigV4-signed requests (the `aws4` package, re-signed for every attempt)
 * over undici, with the shared retry loop. Path-style addressing for a configured endpoint,
 * virtual-hosted style for AWS.
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import aws4 from "aws4";
import { request, type Dispatcher } from "undici";
import { sendWithRetries, type RetriedResponse } from "../http-retry.js";
import type { S3Settings } from "./s3-options.js";

/** A body that can be sent again: bytes, or a factory of fresh streams (a file range). */
export type ReplayableBody = Buffer | (() => Readable);

/** One request on the bucket or an object. */
export interface S3Request {
  method: "HEAD" | "GET" | "PUT" | "POST" | "DELETE";
  /** Full object name in the bucket; omitted for the bucket itself. */
  object?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: ReplayableBody;
  /** Hex SHA-256 of a stream body (a Buffer's is computed here). */
  sha256?: string;
}

const EMPTY_SHA256 = createHash("sha256").digest("hex");

/** RFC 3986 encoding of one path segment or query value, as SigV4 canonicalises it. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Requests on one bucket. */
export class S3Client {
  readonly #bucket: string;
  readonly #settings: S3Settings;
  readonly #dispatcher: Dispatcher;
  readonly #origin: string;
  readonly #host: string;
  readonly #pathStyle: boolean;

  constructor(bucket: string, settings: S3Settings, dispatcher: Dispatcher) {
    this.#bucket = bucket;
    this.#settings = settings;
    this.#dispatcher = dispatcher;
    this.#pathStyle = settings.endpoint !== undefined;
    this.#origin = settings.endpoint ?? `https://${bucket}.s3.${settings.region}.amazonaws.com`;
    this.#host = new URL(this.#origin).host;
  }

  get bucket(): string {
    return this.#bucket;
  }

  get settings(): S3Settings {
    return this.#settings;
  }

  /** The request path of an object (or of the bucket), encoded. */
  pathOf(object?: string): string {
    const name = object === undefined ? "" : object.split("/").map(encodeRfc3986).join("/");
    if (this.#pathStyle) return object === undefined ? `/${encodeRfc3986(this.#bucket)}` : `/${encodeRfc3986(this.#bucket)}/${name}`;
    return `/${name}`;
  }

  /**
   * Sends with retries (signed anew each time). The caller must consume or dump the body.
   * @throws StorageError E_CONNECTION / E_TIMEOUT / E_UNAVAILABLE as `sendWithRetries`
   */
  send(req: S3Request): Promise<RetriedResponse> {
    const query = req.query === undefined ? "" : `?${Object.entries(req.query).map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`).join("&")}`;
    const path = `${this.pathOf(req.object)}${query}`;
    const sha256 = req.sha256 ?? (Buffer.isBuffer(req.body) ? createHash("sha256").update(req.body).digest("hex") : EMPTY_SHA256);
    return sendWithRetries({
      what: `S3 ${req.method} ${path.split("?")[0]}`,
      policy: this.#settings.policy,
      writes: req.method !== "GET" && req.method !== "HEAD",
      send: async () => {
        const headers: Record<string, string> = { ...req.headers, "x-amz-content-sha256": sha256 };
        if (this.#settings.sessionToken !== undefined) headers["x-amz-security-token"] = this.#settings.sessionToken;
        const signed = aws4.sign(
          { host: this.#host, path, method: req.method, service: "s3", region: this.#settings.region, headers },
          { accessKeyId: this.#settings.accessKeyId, secretAccessKey: this.#settings.secretAccessKey },
        );
        const body = typeof req.body === "function" ? req.body() : req.body;
        try {
          return await request(`${this.#origin}${path}`, {
            method: req.method,
            headers: signed.headers as Record<string, string>,
            ...(body === undefined ? {} : { body }),
            dispatcher: this.#dispatcher,
            headersTimeout: this.#settings.policy.headersMs,
            bodyTimeout: this.#settings.policy.bodyMs,
          });
        } catch (err) {
          if (body !== undefined && !Buffer.isBuffer(body)) body.destroy();
          throw err;
        }
      },
    });
  }
}

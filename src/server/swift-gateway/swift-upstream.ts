/**
 * Talking to the Swift proxy behind the gateway: requests with the caller's own token (the gateway
 * holds no credentials), headers passed on without hop-by-hop ones, responses streamed back.
 *
 * @packageDocumentation
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream";
import { request, type Dispatcher } from "undici";

/** Headers that describe one connection, not the message. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade", "host"]);

/** Request headers to pass on, without hop-by-hop ones and those `drop` names. */
export function passHeaders(headers: IncomingHttpHeaders, drop: (name: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop(name)) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Response headers of Swift to send on (hop-by-hop ones removed). */
export function responseHeaders(headers: Dispatcher.ResponseData["headers"], drop: (name: string) => boolean = () => false): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop(name)) continue;
    out[name] = value;
  }
  return out;
}

/** One header of a Swift response as a string. */
export function header(headers: Dispatcher.ResponseData["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The Swift proxy behind a gateway. */
export class SwiftUpstream {
  /** `http://HOST:PORT`, no trailing slash. */
  readonly origin: string;
  readonly #dispatcher: Dispatcher;

  /**
   * @param origin - the Swift proxy's URL
   * @param dispatcher - the connection pool
   */
  constructor(origin: string, dispatcher: Dispatcher) {
    this.origin = origin.replace(/\/+$/, "");
    this.#dispatcher = dispatcher;
  }

  /** Sends a request (path with its query, percent-encoded as the client sent it). */
  send(method: string, path: string, headers: Record<string, string>, body?: Readable | Buffer): Promise<Dispatcher.ResponseData> {
    return request(`${this.origin}${path}`, {
      method: method as Dispatcher.HttpMethod,
      headers,
      ...(body === undefined ? {} : { body }),
      dispatcher: this.#dispatcher,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
  }
}

/** Streams a Swift response to the client as it is (status, headers, body), after `extra` headers. */
export function relay(res: ServerResponse, upstream: Dispatcher.ResponseData, extra: Record<string, string> = {}): void {
  res.writeHead(upstream.statusCode, { ...responseHeaders(upstream.headers), ...extra });
  pipeline(upstream.body, res, () => undefined);
}

/** A short plain-text answer, as Swift's middleware gives (`400 Bad Request` with a message). */
export function answer(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(text, "utf8");
  res.writeHead(status, { "content-type": "text/plain; charset=UTF-8", "content-length": String(body.length), ...headers });
  res.end(body);
}

/**
 * One HTTP request to a test server, the path sent exactly as written (a URL object would resolve
 * `%2e%2e` segments before they reach the server), the answer read whole.
 */
import type { Readable } from "node:stream";
import { Client } from "undici";

/** An answer, its body as bytes, text and (when it parses) JSON. */
export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  bytes: Buffer;
  text: string;
  json: any;
}

/** Sends a request to `url` (path and query as given). */
export async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer | Readable } = {}): Promise<Answer> {
  const { origin } = new URL(url);
  const client = new Client(origin);
  try {
    const res = await client.request({ path: url.slice(origin.length) || "/", method: (init.method ?? "GET") as "GET", headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    const text = bytes.toString("utf8");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, headers: res.headers, bytes, text, json };
  } finally {
    void client.close();
  }
}

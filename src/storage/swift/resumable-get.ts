/**
 * GETs whose bodies survive a dropped connection or a stalled server: the bytes already handed
 * on are never fetched again; the rest is asked for with a Range from the offset reached, pinned
 * to the first response's ETag with If-Match, so a resumed body can never splice two versions.
 *
 * @packageDocumentation
 */
import { Readable } from "node:stream";
import { ChangedError, StorageError } from "../../errors.js";
import { header } from "./auth-session.js";
import { backoffMs, classifyTransport, sleep } from "../retry-policy.js";
import type { SwiftClient, SwiftResponse } from "./swift-client.js";

/** A successful GET (200 or 206) whose body resumes after failures; other statuses untouched. */
export interface ResumableResponse extends SwiftResponse {
  /** The ETag of the first response (quoted for a large object). */
  etag: string | undefined;
  /** Content-Length of the first response: the bytes the body will deliver. */
  length: number | undefined;
}

/**
 * Sends a GET (optionally for `bytes=start-end`) and, for a 200 or 206, replaces the body with one
 * that resumes: on a connection failure or body timeout it waits (jittered backoff), asks for the
 * remaining bytes, and carries on — at most `tries − 1` times, within `maxElapsedMs` from the first
 * interruption (a long download must not be cut short by the time it took before it failed).
 * @param object - object name; @param range - a byte range; @param extraHeaders - e.g. If-None-Match
 * @throws StorageError as {@link SwiftClient.send}; the body fails with E_CONNECTION / E_TIMEOUT
 *   once the bounds are spent, or E_CHANGED when the object was replaced in between
 */
export async function resumableGet(
  client: SwiftClient,
  object: string,
  range?: { start: number; end?: number },
  extraHeaders: Record<string, string> = {},
): Promise<ResumableResponse> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (range !== undefined) headers.range = `bytes=${range.start}-${range.end ?? ""}`;
  const first = await client.send({ method: "GET", object, headers });
  const etag = header(first.headers, "etag");
  const lengthHeader = header(first.headers, "content-length");
  const length = lengthHeader === undefined ? undefined : Number(lengthHeader);
  if (first.statusCode !== 200 && first.statusCode !== 206) return Object.assign(first, { etag, length });
  // where the first body starts in the object: a 200 ignores any Range and starts at 0
  const origin = first.statusCode === 206 ? range?.start ?? 0 : 0;
  const end = first.statusCode === 206 ? range?.end : undefined;
  // the generator starts lazily: hand it the original body now, before it is replaced below
  const original = first.body as unknown as Readable;
  const body = Readable.from(resuming(client, object, original, { origin, end, etag, length }), { objectMode: false });
  return Object.assign(first, { body: body as unknown as SwiftResponse["body"], etag, length });
}

interface Resume {
  origin: number;
  end: number | undefined;
  etag: string | undefined;
  length: number | undefined;
}

async function* resuming(client: SwiftClient, object: string, first: Readable, r: Resume): AsyncGenerator<Buffer> {
  const policy = client.policy;
  const what = `GET ${client.pathOf(object)}`;
  let body = first;
  let delivered = 0;
  let interrupted = 0; // when the first interruption happened
  let attempts = 1;
  try {
    for (;;) {
      try {
        for await (const chunk of body) {
          delivered += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        if (r.length !== undefined && delivered < r.length) {
          throw Object.assign(new Error(`body ended after ${delivered} of ${r.length} bytes`), { code: "ECONNRESET" });
        }
        return;
      } catch (err) {
        if (err instanceof StorageError) throw err;
        const failure = classifyTransport(err);
        if (failure.code === undefined) throw err;
        interrupted ||= Date.now();
        const delay = backoffMs(attempts, policy);
        const spent = Date.now() - interrupted + delay > policy.maxElapsedMs;
        if (attempts >= policy.tries || spent || r.etag === undefined) {
          throw new StorageError(
            `Swift ${what} was interrupted after ${delivered} bytes and ${attempts} attempt${attempts === 1 ? "" : "s"}: ${failure.what}; try again`,
            { code: failure.code, cause: err },
          );
        }
        body.destroy();
        await sleep(delay);
        attempts++;
        body = await resume(client, object, r, r.origin + delivered, what);
      }
    }
  } finally {
    body.destroy();
  }
}

async function resume(client: SwiftClient, object: string, r: Resume, from: number, what: string): Promise<Readable> {
  const res = await client.send({
    method: "GET",
    object,
    // If-Match: the rest must come from the very object whose beginning was already delivered
    headers: { range: `bytes=${from}-${r.end ?? ""}`, "if-match": r.etag! },
  });
  if (res.statusCode === 206) return res.body as unknown as Readable;
  await res.body.dump();
  if (res.statusCode === 412 || res.statusCode === 404) {
    throw new ChangedError(`Swift ${what}: the object was replaced or deleted while it was being read; read it again`);
  }
  throw new StorageError(`Swift ${what}: resuming at byte ${from} got HTTP ${res.statusCode}`, { code: "E_STORAGE" });
}

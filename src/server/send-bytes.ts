/**
 * What the object and dataset GET/HEAD routes share: the validators (`ETag`, `Last-Modified`,
 * `If-None-Match` → 304, `If-Match` → 412 `E_CHANGED`), `Range` (206, 416), the length, and the body streamed from its source
 * under the transfer gate — a client that goes away closes the source (a Swift GET) too.
 *
 * @packageDocumentation
 */
import type { Readable } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ByteRange } from "../storage/index.js";
import { ChangedError } from "../errors.js";
import { matchHits, noneMatchHits, quoteEtag } from "./etag.js";
import { resolveRange } from "./http-range.js";
import type { TransferGate } from "./transfer-gate.js";

/** Bytes to serve: what they are, and how to open them (or a range of them). */
export interface ServedBytes {
  size: number;
  modified: Date;
  etag?: string | undefined;
  mediaType: string;
  open(range?: ByteRange): Promise<Readable>;
}

/**
 * Answers a GET (or a HEAD, without a body) with the bytes.
 * @throws ChangedError when `If-Match` names another version; what opening the source throws (before any byte is sent)
 */
export async function sendBytes(req: FastifyRequest, reply: FastifyReply, bytes: ServedBytes, gate: TransferGate, withBody: boolean): Promise<FastifyReply> {
  reply.header("accept-ranges", "bytes");
  reply.header("last-modified", bytes.modified.toUTCString());
  reply.header("x-object-modified", bytes.modified.toISOString());
  if (bytes.etag !== undefined) reply.header("etag", quoteEtag(bytes.etag));
  // If-Match (a client reading one version range by range): another version is 412 E_CHANGED, and
  // the bytes are read pinned to the version checked, so a replace in between fails rather than mixes
  const ifMatch = req.headers["if-match"];
  if (ifMatch !== undefined && !matchHits(ifMatch, bytes.etag)) {
    throw new ChangedError("the object was replaced since the version If-Match names; read it again");
  }
  const pin = ifMatch !== undefined && bytes.etag !== undefined ? { ifMatch: bytes.etag } : {};
  if (noneMatchHits(req.headers["if-none-match"], bytes.etag)) return reply.code(304).send();
  const range = resolveRange(req.headers.range, bytes.size);
  if (range === "unsatisfiable") {
    // a typed answer like every other error, so a client (and a person) learns why
    return reply
      .code(416)
      .header("content-range", `bytes */${bytes.size}`)
      .header("x-skybutler-error", "E_USAGE")
      .send({ code: "E_USAGE", message: `the requested range starts at or past the end of the object (${bytes.size} bytes)` });
  }
  const length = range === undefined ? bytes.size : range.end - range.start + 1;
  reply.header("content-type", bytes.mediaType).header("content-length", String(length));
  if (range !== undefined) reply.code(206).header("content-range", `bytes ${range.start}-${range.end}/${bytes.size}`);
  if (!withBody) return reply.send();
  const release = await gate.enter();
  try {
    const stream = await bytes.open(range === undefined ? (ifMatch === undefined ? undefined : { offset: 0, ...pin }) : { offset: range.start, length, ...pin });
    stream.once("close", release);
    reply.raw.once("close", () => {
      release();
      // a client that went away must not leave the backend stream (a Swift GET) open
      if (!stream.destroyed) stream.destroy();
    });
    return reply.send(stream);
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * The body of an object PUT on its way to the storage: counted against the size limit and, when
 * the client sent `Content-MD5`, checked before its end is passed on — so a body that is too
 * large, cut short or corrupted fails the storage's `writeStream` and nothing is stored.
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import { pipeline, Transform, type TransformCallback } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";
import { StorageError, UsageError } from "../errors.js";
import type { ServerContext } from "./server-context.js";

/**
 * A pass-through that fails when more than `maxBytes` pass, when fewer than `expectedBytes` (the
 * Content-Length) arrived, or when the MD5 of everything differs from `md5Base64`. The failure
 * comes from `flush`, i.e. before the stream ends, so the storage sees a failed source.
 * @throws UsageError for a malformed Content-MD5 (from the constructor)
 */
export class CheckedBody extends Transform {
  readonly #maxBytes: number;
  readonly #expected: number | undefined;
  readonly #md5: string | undefined;
  readonly #hash;
  #seen = 0;

  /**
   * @param maxBytes - the server's limit
   * @param expectedBytes - the request's Content-Length, if it had one
   * @param md5Base64 - the request's Content-MD5, if it had one
   */
  constructor(maxBytes: number, expectedBytes: number | undefined, md5Base64: string | undefined) {
    super();
    if (md5Base64 !== undefined && !/^[A-Za-z0-9+/]{22}==$/.test(md5Base64)) {
      throw new UsageError("Content-MD5 must be the base64 of a 16-byte MD5 digest");
    }
    this.#maxBytes = maxBytes;
    this.#expected = expectedBytes;
    this.#md5 = md5Base64;
    this.#hash = md5Base64 === undefined ? undefined : createHash("md5");
  }

  /** Bytes passed so far. */
  get bytes(): number {
    return this.#seen;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#maxBytes) {
      done(new StorageError(`the object is larger than this server accepts (${this.#maxBytes} bytes)`, { code: "E_TOO_LARGE" }));
      return;
    }
    this.#hash?.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.#expected !== undefined && this.#seen !== this.#expected) {
      done(new StorageError(`the body ended after ${this.#seen} of ${this.#expected} bytes; nothing was stored`, { code: "E_CONNECTION" }));
      return;
    }
    if (this.#hash !== undefined && this.#hash.digest("base64") !== this.#md5) {
      done(new StorageError("the body does not match its Content-MD5; nothing was stored, send it again", { code: "E_CHECKSUM" }));
      return;
    }
    done();
  }
}

/**
 * Hands a PUT's body to `consume` as a {@link CheckedBody} (size limit, Content-Length, Content-MD5),
 * under the transfer gate. A body refused before it is read (too large by its Content-Length), or
 * cut short, closes the connection: it cannot be reused.
 * @returns the bytes received
 * @throws StorageError E_TOO_LARGE, E_CONNECTION, E_CHECKSUM; UsageError for a malformed
 *   Content-MD5; what `consume` throws
 */
export async function receiveBody(req: FastifyRequest, reply: FastifyReply, ctx: ServerContext, consume: (body: CheckedBody) => Promise<unknown>): Promise<number> {
  const lengthHeader = req.headers["content-length"];
  const length = lengthHeader === undefined ? undefined : Number(lengthHeader);
  if (length !== undefined && length > ctx.limits.maxObjectBytes) {
    reply.header("connection", "close");
    throw new StorageError(`the body (${length} bytes) is larger than this server accepts (${ctx.limits.maxObjectBytes} bytes)`, { code: "E_TOO_LARGE" });
  }
  const md5 = req.headers["content-md5"];
  const checked = new CheckedBody(ctx.limits.maxObjectBytes, length, typeof md5 === "string" ? md5 : undefined);
  const release = await ctx.gate.enter();
  try {
    // pipeline destroys `checked` with the request's error when the client goes away mid-body
    pipeline(req.raw, checked, () => undefined);
    await consume(checked);
  } catch (err) {
    if (!req.raw.readableEnded) reply.header("connection", "close");
    throw err;
  } finally {
    release();
  }
  return checked.bytes;
}

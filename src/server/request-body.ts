/**
 * A small request body read whole, within a size limit: the limit is checked against
 * Content-Length before a byte is read, and again while reading a chunked body.
 *
 * @packageDocumentation
 */
import type { IncomingMessage } from "node:http";
import { StorageError } from "../errors.js";

/**
 * The body as UTF-8 text.
 * @throws StorageError E_TOO_LARGE beyond `maxBytes`; E_CONNECTION when the client went away
 */
export async function readSmallBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = (): StorageError => new StorageError(`the request body is larger than this server accepts (${maxBytes} bytes)`, { code: "E_TOO_LARGE" });
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof StorageError) throw err;
    throw new StorageError(`the request body was cut short: ${(err as Error).message}`, { code: "E_CONNECTION", cause: err });
  }
  return Buffer.concat(chunks).toString("utf8");
}

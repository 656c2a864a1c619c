/**
 * MD5 digests for Swift ETags, computed while streaming so memory stays flat.
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Hex MD5 of bytes in memory. */
export function md5Hex(data: Uint8Array | string): string {
  return createHash("md5").update(data).digest("hex");
}

/** Hex MD5 and size of a file, read as a stream. @throws the fs error (ENOENT …) */
export async function md5File(path: string): Promise<{ md5: string; size: number }> {
  const hash = createHash("md5");
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { md5: hash.digest("hex"), size };
}

/**
 * Copies a stream into an existing (empty) file, hashing on the way: a stream cannot be replayed, and Swift wants the
 * ETag before the body, so a streamed write lands on disk first. The source's own error is rethrown
 * unchanged.
 */
export async function spoolToFile(source: Readable | AsyncIterable<Uint8Array | string>, path: string): Promise<{ md5: string; size: number }> {
  const hash = createHash("md5");
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      hash.update(bytes);
      size += bytes.length;
      done(null, bytes);
    },
  });
  const readable = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
  // Open the existing temp file before any byte flows, and never create it: a lazily opened write
  // stream ("w") could re-create the file after a failed write's cleanup had deleted it.
  const handle = await open(path, "r+");
  await pipeline(readable, tap, handle.createWriteStream());
  return { md5: hash.digest("hex"), size };
}

/**
 * Writes a response body into a file and returns its MD5, to check a download against its ETag.
 */
export async function downloadToFile(body: Readable, path: string): Promise<{ md5: string; size: number }> {
  return spoolToFile(body, path);
}

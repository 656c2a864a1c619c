/**
 * Uploads from a local file: one PUT with Content-MD5 and the SHA-256 SigV4 signs, or — above the
 * part size — a multipart upload whose parts carry their own checksums, aborted on failure.
 * Files are hashed while they are spooled (or read once for putLocalFile), in part-sized pieces.
 *
 * @packageDocumentation
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { XMLParser } from "fast-xml-parser";
import { StorageError } from "../../errors.js";
import { writeToFile } from "../stream-storage.js";
import type { S3Client } from "./s3-client.js";
import { errorCodeOf, s3Error } from "./s3-errors.js";

/** Checksums of one part (or of a whole small object). */
export interface PartDigest {
  offset: number;
  length: number;
  /** base64, for Content-MD5. */
  md5: string;
  /** hex, for x-amz-content-sha256. */
  sha256: string;
}

/** The parts of a file. */
export interface FileDigest {
  size: number;
  parts: PartDigest[];
}

/** Hashes bytes in part-sized pieces as they pass. */
class PartHasher {
  readonly parts: PartDigest[] = [];
  #md5: Hash = createHash("md5");
  #sha: Hash = createHash("sha256");
  #offset = 0;
  #length = 0;
  constructor(readonly partSize: number) {}

  update(chunk: Uint8Array): void {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (buf.length > 0) {
      const take = Math.min(this.partSize - this.#length, buf.length);
      this.#md5.update(buf.subarray(0, take));
      this.#sha.update(buf.subarray(0, take));
      this.#length += take;
      buf = buf.subarray(take);
      if (this.#length === this.partSize) this.#cut();
    }
  }

  #cut(): void {
    this.parts.push({ offset: this.#offset, length: this.#length, md5: this.#md5.digest("base64"), sha256: this.#sha.digest("hex") });
    this.#offset += this.#length;
    this.#length = 0;
    this.#md5 = createHash("md5");
    this.#sha = createHash("sha256");
  }

  digest(): FileDigest {
    if (this.#length > 0 || this.parts.length === 0) this.#cut();
    return { size: this.#offset, parts: this.parts };
  }
}

/** Writes a stream to `path`, hashing it in parts. @throws the source's own error */
export async function spoolHashed(source: AsyncIterable<Uint8Array>, path: string, partSize: number): Promise<FileDigest> {
  const hasher = new PartHasher(partSize);
  await writeToFile(
    (async function* () {
      for await (const chunk of source) {
        hasher.update(chunk);
        yield chunk;
      }
    })(),
    path,
  );
  return hasher.digest();
}

/** Hashes a local file in parts. @throws the fs error */
export async function hashFile(path: string, partSize: number): Promise<FileDigest> {
  const hasher = new PartHasher(partSize);
  for await (const chunk of createReadStream(path)) hasher.update(chunk as Buffer);
  return hasher.digest();
}

function rangeOf(path: string, part: PartDigest): () => Readable {
  return () => (part.length === 0 ? Readable.from([]) : createReadStream(path, { start: part.offset, end: part.offset + part.length - 1 }));
}

const parser = new XMLParser({ parseTagValue: false });

/** Where an upload goes. */
export interface UploadTarget {
  client: S3Client;
  /** The object name in the bucket. */
  name: string;
  /** The caller's key and root, for errors. */
  key: string;
  where: string;
  headers?: Record<string, string>;
}

/**
 * Uploads a file whose parts were hashed: one PUT when it has one part, else a multipart upload.
 * @throws PermissionDeniedError, StorageError (E_CHECKSUM when the server saw other bytes)
 */
export async function uploadFile(target: UploadTarget, path: string, digest: FileDigest, concurrency: number, extraHeaders: Record<string, string> = {}): Promise<void> {
  const { client, name } = target;
  if (digest.parts.length === 1) {
    const part = digest.parts[0]!;
    const res = await client.send({
      method: "PUT",
      object: name,
      headers: { ...target.headers, ...extraHeaders, "content-md5": part.md5, "content-length": String(part.length) },
      body: part.length === 0 ? Buffer.alloc(0) : rangeOf(path, part),
      sha256: part.sha256,
    });
    if (res.statusCode >= 200 && res.statusCode < 300) return void (await res.body.dump());
    throw s3Error({ method: "PUT", key: target.key, where: target.where, status: res.statusCode, code: await errorCodeOf(res) });
  }
  const created = await client.send({ method: "POST", object: name, query: { uploads: "" }, headers: { ...target.headers } });
  if (created.statusCode !== 200) throw s3Error({ method: "POST", key: target.key, where: target.where, status: created.statusCode, code: await errorCodeOf(created) });
  const uploadId = String((parser.parse(await created.body.text()) as { InitiateMultipartUploadResult?: { UploadId?: string } }).InitiateMultipartUploadResult?.UploadId ?? "");
  if (uploadId === "") throw new StorageError(`S3 did not start a multipart upload of "${target.key}" in ${target.where}`);
  try {
    const etags: string[] = new Array(digest.parts.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < digest.parts.length) {
        const index = next++;
        const part = digest.parts[index]!;
        const res = await client.send({
          method: "PUT",
          object: name,
          query: { partNumber: String(index + 1), uploadId },
          headers: { "content-md5": part.md5, "content-length": String(part.length) },
          body: rangeOf(path, part),
          sha256: part.sha256,
        });
        if (res.statusCode !== 200) throw s3Error({ method: "PUT", key: target.key, where: target.where, status: res.statusCode, code: await errorCodeOf(res) });
        await res.body.dump();
        etags[index] = String(res.headers.etag ?? "");
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, digest.parts.length) }, worker));
    const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join("")}</CompleteMultipartUpload>`;
    const done = await client.send({ method: "POST", object: name, query: { uploadId }, headers: { "content-type": "application/xml" }, body: Buffer.from(xml) });
    const text = await done.body.text();
    // S3 may answer 200 and report the failure in the body
    if (done.statusCode !== 200 || text.includes("<Error>")) {
      throw s3Error({ method: "POST", key: target.key, where: target.where, status: done.statusCode === 200 ? 500 : done.statusCode, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] });
    }
  } catch (err) {
    const res = await client.send({ method: "DELETE", object: name, query: { uploadId } }).catch(() => undefined);
    await res?.body.dump();
    throw err;
  }
}

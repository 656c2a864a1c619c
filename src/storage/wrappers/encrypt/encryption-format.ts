/**
 * The layout of an object of `skybutler:encrypt`: a header, then the caller's bytes in fixed-size
 * AES-256-GCM chunks, each with its 16-byte tag.
 *
 *   header = "SKBENC01" | chunkSize (u32 BE) | nonce prefix (8 random bytes) | id length (u8) | key id
 *   chunk i = AES-256-GCM(key, nonce = prefix | i (u32 BE), aad = header | final flag) + tag
 *
 * The header is authenticated with every chunk (a changed chunk size or key id fails), the chunk
 * index is in the nonce (chunks cannot be reordered), and the last chunk's flag is in its AAD (an
 * object cut after a chunk boundary fails). An empty object is one empty final chunk.
 *
 * @packageDocumentation
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { IntegrityError } from "../../../errors.js";
import { rechunk } from "../wrapper-support.js";
import type { EncryptionKey } from "./encryption-keys.js";

const MAGIC = Buffer.from("SKBENC01", "latin1");
/** Bytes of one AES-GCM authentication tag. */
export const TAG_SIZE = 16;
/** Longest header: 21 bytes and a 64-byte key id. */
export const MAX_HEADER = 21 + 64;

/** A parsed header and where things are. */
export interface EncryptedLayout {
  header: Buffer;
  chunkSize: number;
  prefix: Buffer;
  keyId: string;
  /** The caller's bytes. */
  size: number;
  /** Number of chunks (at least 1). */
  chunks: number;
}

/** A new header for `key`. */
export function newHeader(key: EncryptionKey, chunkSize: number): Buffer {
  const id = Buffer.from(key.id, "utf8");
  const fixed = Buffer.alloc(21);
  MAGIC.copy(fixed, 0);
  fixed.writeUInt32BE(chunkSize, 8);
  randomBytes(8).copy(fixed, 12);
  fixed.writeUInt8(id.length, 20);
  return Buffer.concat([fixed, id]);
}

/**
 * Reads a header (from the first bytes of an object of `storedSize` bytes).
 * @throws IntegrityError when it is not one or does not fit the size
 */
export function parseHeader(start: Buffer, storedSize: number, what: string): EncryptedLayout {
  if (start.length < 21 || !start.subarray(0, 8).equals(MAGIC)) throw new IntegrityError(`${what} is not an encrypted object (no skybutler:encrypt header), or its header is damaged`);
  const chunkSize = start.readUInt32BE(8);
  const idLength = start.readUInt8(20);
  const header = start.subarray(0, 21 + idLength);
  if (chunkSize === 0 || header.length !== 21 + idLength) throw new IntegrityError(`${what}: the encryption header is damaged`);
  const body = storedSize - header.length;
  const chunks = Math.ceil(body / (chunkSize + TAG_SIZE));
  const size = body - chunks * TAG_SIZE;
  if (chunks < 1 || size < 0 || (chunks > 1 && size <= (chunks - 1) * chunkSize)) {
    throw new IntegrityError(`${what}: ${storedSize} stored bytes cannot be an encrypted object with ${chunkSize}-byte chunks; it was truncated or damaged`);
  }
  return { header: Buffer.from(header), chunkSize, prefix: Buffer.from(header.subarray(12, 20)), keyId: header.subarray(21).toString("utf8"), size, chunks };
}

function nonce(prefix: Buffer, index: number): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(index, 8);
  return n;
}

function aad(header: Buffer, final: boolean): Buffer {
  return Buffer.concat([header, Buffer.from([final ? 1 : 0])]);
}

/** A sealed chunk as two pieces, ciphertext and tag (no copy into one buffer). */
function sealChunk(key: Buffer, header: Buffer, prefix: Buffer, index: number, final: boolean, plain: Buffer): [Buffer, Buffer] {
  const cipher = createCipheriv("aes-256-gcm", key, nonce(prefix, index));
  cipher.setAAD(aad(header, final));
  const body = cipher.update(plain);
  cipher.final(); // GCM adds no bytes at the end
  return [body, cipher.getAuthTag()];
}

/** The stored bytes for a plaintext stream: the header, then the sealed chunks (one chunk of look-ahead). */
export async function* encryptStream(source: AsyncIterable<Uint8Array>, key: EncryptionKey, chunkSize: number): AsyncGenerator<Buffer> {
  const header = newHeader(key, chunkSize);
  const prefix = header.subarray(12, 20);
  yield header;
  let held: Buffer | undefined;
  let index = 0;
  for await (const chunk of rechunk(source, chunkSize)) {
    if (held !== undefined) yield* sealChunk(key.key, header, prefix, index++, false, held);
    // rechunk may hand out a view of the source's buffer: keep a copy across the next await
    held = Buffer.from(chunk);
  }
  yield* sealChunk(key.key, header, prefix, index, true, held ?? Buffer.alloc(0));
}

/**
 * The plaintext of chunks `first`… from a stream of their stored bytes (each `chunkSize + 16`
 * bytes, the object's last one shorter). Ciphertext is fed to the cipher as it arrives; the
 * plaintext of a chunk is handed on only once its tag checked out.
 * @throws IntegrityError when a chunk fails authentication or the stream ends early
 */
export async function* decryptChunks(stored: AsyncIterable<Uint8Array>, layout: EncryptedLayout, key: Buffer, first: number, what: string): AsyncGenerator<Buffer> {
  const lastSealed = layout.size - (layout.chunks - 1) * layout.chunkSize + TAG_SIZE;
  const sealedSize = (i: number): number => (i === layout.chunks - 1 ? lastSealed : layout.chunkSize + TAG_SIZE);
  const start = (i: number) => {
    const d = createDecipheriv("aes-256-gcm", key, nonce(layout.prefix, i));
    d.setAAD(aad(layout.header, i === layout.chunks - 1));
    return d;
  };
  let index = first;
  let decipher = start(index);
  let inChunk = 0;
  let plain: Buffer[] = [];
  let tag: Buffer[] = [];
  for await (const piece of stored) {
    let buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (buf.length > 0) {
      if (index >= layout.chunks) throw new IntegrityError(`${what}: more bytes than its ${layout.chunks} chunks`);
      const sealed = sealedSize(index);
      const take = Math.min(sealed - inChunk, buf.length);
      const cipherLeft = Math.max(0, sealed - TAG_SIZE - inChunk);
      const body = buf.subarray(0, Math.min(cipherLeft, take));
      if (body.length > 0) plain.push(decipher.update(body));
      if (take > body.length) tag.push(buf.subarray(body.length, take));
      inChunk += take;
      buf = buf.subarray(take);
      if (inChunk < sealed) continue;
      try {
        decipher.setAuthTag(tag.length === 1 ? tag[0]! : Buffer.concat(tag));
        decipher.final();
      } catch (err) {
        throw new IntegrityError(`${what}: chunk ${index} fails authentication (AES-256-GCM); the stored object was changed or damaged`, { cause: err });
      }
      yield* plain;
      plain = [];
      tag = [];
      inChunk = 0;
      index++;
      if (index < layout.chunks) decipher = start(index);
    }
  }
  if (inChunk > 0) throw new IntegrityError(`${what}: chunk ${index} is truncated`);
}

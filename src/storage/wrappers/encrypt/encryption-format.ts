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
import { randomBytes } from "node:crypto";
import { IntegrityError } from "../../../errors.js";
import { gcmKey, JOBS_IN_FLIGHT, open, OrderedJobs, seal } from "../crypto-jobs.js";
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

/**
 * The stored bytes for a plaintext stream: the header, then the sealed chunks. Chunks are sealed in
 * the thread pool (see crypto-jobs.ts), a few at once, as soon as it is known whether each one is
 * the last.
 */
export async function* encryptStream(source: AsyncIterable<Uint8Array>, key: EncryptionKey, chunkSize: number): AsyncGenerator<Buffer> {
  const header = newHeader(key, chunkSize);
  const prefix = header.subarray(12, 20);
  const cryptoKey = await gcmKey(key.key);
  const jobs = new OrderedJobs<Buffer>(JOBS_IN_FLIGHT);
  let index = 0;
  // seal copies its input when called
  const sealed = (plain: Buffer, final: boolean): Promise<Buffer[]> => jobs.add(seal(cryptoKey, nonce(prefix, index++), aad(header, final), plain));
  /** A whole chunk not sealed yet: whether it is the last is known once more bytes come, or none. */
  let ready: Buffer | undefined;
  let partial: Buffer[] = [];
  let inChunk = 0;
  yield header;
  for await (const piece of source) {
    let buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (buf.length > 0) {
      if (ready !== undefined) {
        yield* await sealed(ready, false);
        ready = undefined;
      }
      const take = Math.min(chunkSize - inChunk, buf.length);
      partial.push(buf.subarray(0, take));
      inChunk += take;
      buf = buf.subarray(take);
      if (inChunk === chunkSize) {
        ready = partial.length === 1 ? partial[0]! : Buffer.concat(partial, chunkSize);
        partial = [];
        inChunk = 0;
      }
    }
    // the source may reuse its buffer once asked for the next piece: what still views it is copied
    if (ready !== undefined && ready.buffer === piece.buffer) ready = Buffer.from(ready);
    if (partial.length > 0) partial = [Buffer.concat(partial, inChunk)];
  }
  if (inChunk > 0) {
    if (ready !== undefined) yield* await sealed(ready, false);
    yield* await sealed(partial[0]!, true);
  } else {
    yield* await sealed(ready ?? Buffer.alloc(0), true);
  }
  yield* await jobs.drain();
}

/**
 * The plaintext of chunks `first`… from a stream of their stored bytes (each `chunkSize + 16`
 * bytes, the object's last one shorter). Each chunk is authenticated and decrypted in the thread
 * pool, a few at once, and its plaintext handed on only once its tag checked out.
 * @throws IntegrityError when a chunk fails authentication or the stream ends early
 */
export async function* decryptChunks(stored: AsyncIterable<Uint8Array>, layout: EncryptedLayout, key: Buffer, first: number, what: string): AsyncGenerator<Buffer> {
  const lastSealed = layout.size - (layout.chunks - 1) * layout.chunkSize + TAG_SIZE;
  const sealedSize = (i: number): number => (i === layout.chunks - 1 ? lastSealed : layout.chunkSize + TAG_SIZE);
  const cryptoKey = await gcmKey(key);
  const jobs = new OrderedJobs<Buffer>(JOBS_IN_FLIGHT);
  const opened = async (i: number, sealed: Buffer): Promise<Buffer> => {
    try {
      return await open(cryptoKey, nonce(layout.prefix, i), aad(layout.header, i === layout.chunks - 1), sealed);
    } catch (err) {
      throw new IntegrityError(`${what}: chunk ${i} fails authentication (AES-256-GCM); the stored object was changed or damaged`, { cause: err });
    }
  };
  let index = first;
  let held: Buffer[] = [];
  let inChunk = 0;
  for await (const piece of stored) {
    let buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (buf.length > 0) {
      if (index >= layout.chunks) throw new IntegrityError(`${what}: more bytes than its ${layout.chunks} chunks`);
      const sealed = sealedSize(index);
      const take = Math.min(sealed - inChunk, buf.length);
      held.push(buf.subarray(0, take));
      inChunk += take;
      buf = buf.subarray(take);
      if (inChunk < sealed) continue;
      yield* await jobs.add(opened(index, held.length === 1 ? held[0]! : Buffer.concat(held, sealed)));
      held = [];
      inChunk = 0;
      index++;
    }
  }
  yield* await jobs.drain();
  if (inChunk > 0) throw new IntegrityError(`${what}: chunk ${index} is truncated`);
}

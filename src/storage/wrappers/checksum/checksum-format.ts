/**
 * The layout of an object of `skybutler:checksum` in the storage below: the caller's bytes, then a
 * trailer with the SHA-256 of each fixed-size chunk, their root (the SHA-256 of the chunk hashes,
 * so the trailer checks itself), and a footer.
 *
 *   [data: size bytes][chunk hashes: 32 × n][root: 32][footer: 24]
 *   footer = "SKBSUM01" | chunkSize (u32 BE) | reserved (u32) | size (u64 BE)
 *
 * One object, so a write is as atomic as the storage below makes it: the hashes can never belong
 * to other bytes (a hash file beside the object could, after two concurrent writers).
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import { IntegrityError } from "../../../errors.js";
import { JOBS_IN_FLIGHT, OrderedJobs, sha256 } from "../crypto-jobs.js";

/** Bytes of the footer at the end of every stored object. */
export const FOOTER_SIZE = 24;
const MAGIC = Buffer.from("SKBSUM01", "latin1");
/** Bytes of one SHA-256. */
export const HASH_SIZE = 32;

/** Where things are in one stored object. */
export interface ChecksumLayout {
  /** The caller's bytes. */
  size: number;
  chunkSize: number;
  /** Number of chunks (0 for an empty object). */
  chunks: number;
  /** Offset of the chunk hashes (= size). */
  hashesAt: number;
  /** The stored object's size. */
  storedSize: number;
}

/** The layout of an object of `size` bytes in chunks of `chunkSize`. */
export function layoutOf(size: number, chunkSize: number): ChecksumLayout {
  const chunks = Math.ceil(size / chunkSize);
  return { size, chunkSize, chunks, hashesAt: size, storedSize: size + HASH_SIZE * chunks + HASH_SIZE + FOOTER_SIZE };
}

/**
 * Reads a footer and checks it against the stored size.
 * @throws IntegrityError when the footer is not one, or does not fit the object
 */
export function parseFooter(footer: Buffer, storedSize: number, what: string): ChecksumLayout {
  if (footer.length !== FOOTER_SIZE || !footer.subarray(0, 8).equals(MAGIC)) {
    throw new IntegrityError(`${what} has no checksum trailer (written without skybutler:checksum, truncated, or damaged)`);
  }
  const chunkSize = footer.readUInt32BE(8);
  const size = Number(footer.readBigUInt64BE(16));
  const layout = chunkSize > 0 && Number.isSafeInteger(size) ? layoutOf(size, chunkSize) : undefined;
  if (layout === undefined || layout.storedSize !== storedSize) {
    throw new IntegrityError(`${what}: the checksum trailer does not fit the object (${storedSize} bytes stored); it was truncated or damaged`);
  }
  return layout;
}

/** The root of chunk hashes: the SHA-256 of their concatenation. */
export function rootOf(hashes: Buffer): Buffer {
  return createHash("sha256").update(hashes).digest();
}

/** Builds the trailer after the data. */
export function trailer(chunkHashes: Buffer[], chunkSize: number, size: number): Buffer {
  const hashes = Buffer.concat(chunkHashes);
  const footer = Buffer.alloc(FOOTER_SIZE);
  MAGIC.copy(footer, 0);
  footer.writeUInt32BE(chunkSize, 8);
  footer.writeBigUInt64BE(BigInt(size), 16);
  return Buffer.concat([hashes, rootOf(hashes), footer]);
}

/**
 * Passes the caller's pieces through unchanged (large writes stay large), then yields the trailer.
 * Each chunk is hashed in the thread pool (see crypto-jobs.ts) while the pieces go on to be
 * written; a few chunks are hashed at once.
 */
export async function* withTrailer(source: AsyncIterable<Uint8Array>, chunkSize: number): AsyncGenerator<Uint8Array> {
  const hashes: Buffer[] = [];
  const jobs = new OrderedJobs<Buffer>(JOBS_IN_FLIGHT);
  let partial: Buffer[] = [];
  let inChunk = 0;
  let size = 0;
  for await (const piece of source) {
    yield piece;
    // the source keeps its buffer until it is asked for the next piece: hashed from views until then
    let buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    size += buf.length;
    while (buf.length > 0) {
      const take = Math.min(chunkSize - inChunk, buf.length);
      partial.push(buf.subarray(0, take));
      inChunk += take;
      buf = buf.subarray(take);
      if (inChunk < chunkSize) continue;
      // sha256 copies what it hashes when it is called
      hashes.push(...(await jobs.add(sha256(partial.length === 1 ? partial[0]! : Buffer.concat(partial, chunkSize)))));
      partial = [];
      inChunk = 0;
    }
    if (partial.length > 0) partial = [Buffer.concat(partial, inChunk)];
  }
  if (inChunk > 0) hashes.push(...(await jobs.add(sha256(partial[0]!))));
  hashes.push(...(await jobs.drain()));
  yield trailer(hashes, chunkSize, size);
}

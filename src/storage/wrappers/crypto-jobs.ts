/**
 * SHA-256 and AES-256-GCM off the main thread: WebCrypto's operations run in libuv's thread pool
 * (Node copies the input when the call is made), so the event loop keeps reading and writing while
 * chunks are hashed or sealed, and on a machine with two cores or more several chunks are worked on
 * at once. {@link OrderedJobs} keeps a few jobs in flight and hands their results back in order.
 *
 * @packageDocumentation
 */
import { webcrypto } from "node:crypto";

const subtle = webcrypto.subtle;

/**
 * Jobs in flight per stream: libuv's pool has 4 threads by default, and file I/O needs one; two
 * streams of two wrappers stacked (encrypt over checksum) still leave the pool busy, not flooded.
 */
export const JOBS_IN_FLIGHT = 3;

/** The SHA-256 of `data`, computed in the thread pool. */
export async function sha256(data: Uint8Array): Promise<Buffer> {
  return Buffer.from(await subtle.digest("SHA-256", data));
}

const imported = new WeakMap<Buffer, Promise<webcrypto.CryptoKey>>();

/** The WebCrypto key of a raw 32-byte AES key (imported once per key). */
export function gcmKey(raw: Buffer): Promise<webcrypto.CryptoKey> {
  let key = imported.get(raw);
  if (key === undefined) {
    key = subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    imported.set(raw, key);
  }
  return key;
}

/** AES-256-GCM of `plain` in the thread pool: the ciphertext followed by the 16-byte tag. */
export async function seal(key: webcrypto.CryptoKey, iv: Uint8Array, aad: Uint8Array, plain: Uint8Array): Promise<Buffer> {
  return Buffer.from(await subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad, tagLength: 128 }, key, plain));
}

/**
 * The plaintext of `sealed` (ciphertext and tag), checked in the thread pool.
 * @throws the DOMException OperationError of WebCrypto when authentication fails (callers turn it into an IntegrityError)
 */
export async function open(key: webcrypto.CryptoKey, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Promise<Buffer> {
  return Buffer.from(await subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad, tagLength: 128 }, key, sealed));
}

/**
 * A queue of jobs whose results are taken in the order they were added, with a bound on how many
 * run at once: `add` waits for the oldest once the queue is full and returns it.
 *
 * ```ts
 * const jobs = new OrderedJobs<Buffer>(3);
 * for await (const chunk of chunks) for (const digest of await jobs.add(sha256(chunk))) use(digest);
 * for (const digest of await jobs.drain()) use(digest);
 * ```
 */
export class OrderedJobs<T> {
  readonly #limit: number;
  readonly #queue: Array<Promise<T>> = [];

  /** @param limit - jobs in flight at most */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * Queues a job; when `limit` are in flight, waits for the oldest.
   * @returns the results now due (the oldest job's, or none)
   * @throws the oldest job's error
   */
  async add(job: Promise<T>): Promise<T[]> {
    // a job that fails while an older one is awaited must not count as an unhandled rejection
    job.catch(() => undefined);
    this.#queue.push(job);
    return this.#queue.length > this.#limit ? [await this.#queue.shift()!] : [];
  }

  /** Every remaining result, in order. @throws the first failed job's error */
  async drain(): Promise<T[]> {
    const out: T[] = [];
    while (this.#queue.length > 0) out.push(await this.#queue.shift()!);
    return out;
  }
}

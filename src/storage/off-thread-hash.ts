/**
 * Streaming hashes computed on a worker thread, so a large write's checksum (a dataset record's
 * SHA-256 of a 192 MiB Exposure: ~0.14–0.23 s of one core here) runs on the second core while the
 * writer goes on encoding and writing — instead of after it, or in between its writes.
 *
 * Small inputs never see the worker: a message round trip costs more than hashing a few KiB, so
 * the first {@link LOCAL_LIMIT} bytes are only copied into a buffer, and hashed on the calling
 * thread at `digest()` unless more follow. Copying (into recycled buffers, ~10 GB/s) is what the
 * calling thread pays instead of hashing (SHA-256 ~1.4 GB/s, MD5 ~0.6 GB/s here).
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { Worker } from "node:worker_threads";

/** Inputs up to this size are hashed on the calling thread (at `digest()`); also the size of the buffers sent to the worker. */
export const LOCAL_LIMIT = 1024 * 1024;

/** Bytes copied to the worker and not yet hashed before `update` asks the writer to wait. */
const IN_FLIGHT_LIMIT = 8 * 1024 * 1024;

/** The algorithms the worker offers (those of node:crypto that skybutler's checksums use). */
export type OffThreadAlgorithm = "sha256" | "md5";

/** The worker's code: one hash object per id, updated in message order. Plain JS (`eval`), so it runs the same from TypeScript sources and from dist. */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { closeSync, openSync, readSync } = require("node:fs");
const hashes = new Map();
const fail = (id, err) => parentPort.postMessage({ id, op: "error", message: String((err && err.message) || err), code: err && err.code });
// a whole file, read here: 4 MiB reads, 64 MiB per turn so that other hashes' messages get in
function hashFile(m) {
  let fd;
  try {
    fd = openSync(m.path, "r");
  } catch (err) {
    return fail(m.id, err);
  }
  const buf = Buffer.allocUnsafe(4 << 20);
  const segments = [];
  let h = createHash(m.algorithm), inSegment = 0, size = 0;
  const step = () => {
    try {
      for (let turn = 0; turn < 16; turn++) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, m.segmentSize - inSegment), size);
        if (n === 0) {
          if (inSegment > 0 || segments.length === 0) segments.push(h.digest("hex"));
          closeSync(fd);
          return parentPort.postMessage({ id: m.id, op: "file", size, segments });
        }
        h.update(buf.subarray(0, n));
        size += n;
        inSegment += n;
        if (inSegment === m.segmentSize) {
          segments.push(h.digest("hex"));
          h = createHash(m.algorithm);
          inSegment = 0;
        }
      }
      setImmediate(step);
    } catch (err) {
      try { closeSync(fd); } catch {}
      fail(m.id, err);
    }
  };
  step();
}
parentPort.on("message", (m) => {
  try {
    if (m.op === "update") {
      let h = hashes.get(m.id);
      if (h === undefined) hashes.set(m.id, (h = createHash(m.algorithm)));
      if (m.shared !== undefined) {
        h.update(new Uint8Array(m.shared, m.offset, m.length));
        parentPort.postMessage({ id: m.id, op: "hashed", n: m.length });
      } else {
        h.update(new Uint8Array(m.buffer, 0, m.length));
        parentPort.postMessage({ id: m.id, op: "hashed", n: m.length, buffer: m.buffer }, [m.buffer]);
      }
    } else if (m.op === "digest") {
      const h = hashes.get(m.id);
      hashes.delete(m.id);
      parentPort.postMessage({ id: m.id, op: "digest", hex: h.digest("hex") });
    } else if (m.op === "drop") {
      hashes.delete(m.id);
    } else if (m.op === "file") {
      hashFile(m);
    }
  } catch (err) {
    hashes.delete(m.id);
    fail(m.id, err);
  }
});
`;

type Answer =
  | { id: number; op: "hashed"; n: number; buffer?: ArrayBuffer }
  | { id: number; op: "digest"; hex: string }
  | { id: number; op: "file"; size: number; segments: string[] }
  | { id: number; op: "error"; message: string; code?: string };

/** What the worker owes one hash (a stream's pieces and digest, or a whole file's digests). */
interface Client {
  hashed?(n: number, buffer: ArrayBuffer | undefined): void;
  digest?(hex: string): void;
  file?(size: number, segments: string[]): void;
  fail(err: Error): void;
}

/**
 * The one hashing worker of the process, started on first use. Referenced only while a hash is
 * open on it, so an idle process still exits; a worker that dies fails the open hashes and is
 * replaced on next use.
 */
class HashWorker {
  static #current: HashWorker | undefined;
  readonly #worker: Worker;
  readonly #clients = new Map<number, Client>();
  #nextId = 1;

  private constructor() {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true });
    this.#worker.unref();
    this.#worker.on("message", (answer: Answer) => {
      const client = this.#clients.get(answer.id);
      if (client === undefined) return;
      if (answer.op === "hashed") client.hashed?.(answer.n, answer.buffer);
      else {
        this.#forget(answer.id);
        if (answer.op === "digest") client.digest?.(answer.hex);
        else if (answer.op === "file") client.file?.(answer.size, answer.segments);
        else client.fail(Object.assign(new Error(`hashing failed on the worker thread: ${answer.message}`), answer.code === undefined ? {} : { code: answer.code }));
      }
    });
    const die = (err: Error) => {
      if (HashWorker.#current === this) HashWorker.#current = undefined;
      const clients = [...this.#clients.values()];
      this.#clients.clear();
      for (const client of clients) client.fail(err);
    };
    this.#worker.on("error", (err) => die(new Error(`the hashing worker thread failed: ${err.message}`, { cause: err })));
    this.#worker.on("exit", (code) => die(new Error(`the hashing worker thread exited (code ${code})`)));
  }

  /** The process's worker. */
  static get(): HashWorker {
    HashWorker.#current ??= new HashWorker();
    return HashWorker.#current;
  }

  /** Registers a hash; the worker stays referenced until it ends. */
  open(client: Client): number {
    const id = this.#nextId++;
    if (this.#clients.size === 0) this.#worker.ref();
    this.#clients.set(id, client);
    return id;
  }

  /** Sends the first `length` bytes of a buffer to hash; it is transferred, and comes back with the answer. */
  update(id: number, algorithm: OffThreadAlgorithm, buffer: ArrayBuffer, length: number): void {
    this.#worker.postMessage({ op: "update", id, algorithm, buffer, length }, [buffer]);
  }

  /** Sends bytes of shared memory to hash where they are (the sender leaves them alone until answered). */
  updateShared(id: number, algorithm: OffThreadAlgorithm, bytes: Uint8Array): void {
    this.#worker.postMessage({ op: "update", id, algorithm, shared: bytes.buffer, offset: bytes.byteOffset, length: bytes.byteLength });
  }

  /** Asks for the digest (answered after every update sent before). */
  digest(id: number): void {
    this.#worker.postMessage({ op: "digest", id });
  }

  /** Asks for a whole file's digests, segment by segment (answered by `file`). */
  hashFile(id: number, algorithm: OffThreadAlgorithm, path: string, segmentSize: number): void {
    this.#worker.postMessage({ op: "file", id, algorithm, path, segmentSize });
  }

  /** Drops a hash nobody will ask the digest of. */
  drop(id: number): void {
    if (!this.#clients.has(id)) return;
    this.#forget(id);
    this.#worker.postMessage({ op: "drop", id });
  }

  #forget(id: number): void {
    this.#clients.delete(id);
    if (this.#clients.size === 0) this.#worker.unref();
  }
}

/** Shared-memory inputs at least this large are hashed where they are, without a copy. */
const SHARED_MIN = 64 * 1024;

/** Copy buffers, recycled: the worker hands each back once hashed, so copying costs no page faults. */
const spareBuffers: ArrayBuffer[] = [];
/** Spare buffers kept between hashes (the rest are left to the garbage collector). */
const SPARE_KEPT = 8;

function takeBuffer(): ArrayBuffer {
  return spareBuffers.pop() ?? new ArrayBuffer(LOCAL_LIMIT);
}

function giveBack(buffer: ArrayBuffer): void {
  if (buffer.byteLength === LOCAL_LIMIT && spareBuffers.length < SPARE_KEPT) spareBuffers.push(buffer);
}

/**
 * A hash fed like `crypto.Hash` whose work, past the first MiB, happens on the hashing worker.
 * `update` copies the bytes (the caller may reuse its buffer at once) into 1 MiB buffers that go to
 * the worker when full, and returns a promise only when too many bytes wait for the worker: a
 * writer that awaits it keeps memory bounded. Bytes in a `SharedArrayBuffer` (the FITS writer's
 * WebAssembly scratch) are not copied: the worker hashes them in place, and `update` returns a
 * promise that resolves once it has — the caller must not change them before. (Copying 192 MiB
 * cost the calling thread ~42 ms of a 0.3 s Exposure put, more than the hash's wait.)
 *
 * ```ts
 * const sha = new OffThreadHash("sha256");
 * for await (const chunk of source) await sha.update(chunk);
 * const hex = await sha.digest();
 * ```
 */
export class OffThreadHash {
  readonly #algorithm: OffThreadAlgorithm;
  /** The buffer being filled, and how full it is. */
  #fill: Uint8Array | undefined;
  #filled = 0;
  #size = 0;
  #worker: HashWorker | undefined;
  #id = 0;
  #inFlight = 0;
  /** Per message sent, oldest first: what to tell when the worker has hashed it (shared bytes only). */
  #acks: Array<(() => void) | undefined> = [];
  #waiters: Array<() => void> = [];
  #result: Promise<string> | undefined;
  #settle: { resolve(hex: string): void; reject(err: Error): void } | undefined;
  #failure: Error | undefined;
  #ended = false;

  /** @param algorithm - `sha256` or `md5` */
  constructor(algorithm: OffThreadAlgorithm) {
    this.#algorithm = algorithm;
  }

  /** Bytes hashed so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Hashes the next bytes (copied now).
   * @returns a promise while the worker is behind by more than 8 MiB (await it to bound memory)
   * @throws Error after `digest()` or `dispose()`, or when the worker thread failed
   */
  update(bytes: Uint8Array): Promise<void> | undefined {
    if (this.#ended) throw new Error("OffThreadHash: update after digest() or dispose()");
    if (this.#failure !== undefined) throw this.#failure;
    this.#size += bytes.byteLength;
    if (this.#size > LOCAL_LIMIT && bytes.byteLength >= SHARED_MIN && bytes.buffer instanceof SharedArrayBuffer) {
      if (this.#filled > 0 || this.#worker === undefined) this.#send(); // what came before goes first
      this.#inFlight += bytes.byteLength;
      this.#worker!.updateShared(this.#id, this.#algorithm, bytes);
      return new Promise<void>((resolve) => this.#acks.push(resolve));
    }
    for (let offset = 0; offset < bytes.byteLength; ) {
      if (this.#fill !== undefined && this.#filled === LOCAL_LIMIT) this.#send();
      this.#fill ??= new Uint8Array(takeBuffer());
      const take = Math.min(LOCAL_LIMIT - this.#filled, bytes.byteLength - offset);
      this.#fill.set(bytes.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
    }
    if (this.#inFlight <= IN_FLIGHT_LIMIT) return undefined;
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /**
   * The hex digest of everything given to `update`; the hash ends.
   * @throws Error when the worker thread failed
   */
  digest(): Promise<string> {
    if (this.#ended) throw new Error("OffThreadHash: digest() called twice or after dispose()");
    this.#ended = true;
    if (this.#worker === undefined) {
      // never more than one buffer: hashed here, no round trip
      const hash = createHash(this.#algorithm);
      if (this.#fill !== undefined) hash.update(this.#fill.subarray(0, this.#filled));
      this.#recycle();
      return Promise.resolve(hash.digest("hex"));
    }
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#filled > 0) this.#send();
    this.#result ??= new Promise<string>((resolve, reject) => (this.#settle = { resolve, reject }));
    this.#worker.digest(this.#id);
    return this.#result;
  }

  /** Ends the hash without a digest (a write that failed); idempotent. */
  dispose(): void {
    this.#ended = true;
    this.#recycle();
    this.#worker?.drop(this.#id);
    // its answers are dropped now: free whoever waits (the worker may still read shared bytes, but
    // only for a digest nobody will ask for)
    for (const ack of this.#acks.splice(0)) ack?.();
    this.#release();
  }

  /** Sends the filled buffer to the worker (starting the worker's hash on the first). */
  #send(): void {
    if (this.#worker === undefined) {
      const worker = HashWorker.get();
      this.#worker = worker;
      this.#id = worker.open({
        hashed: (n, buffer) => {
          if (buffer !== undefined) giveBack(buffer);
          this.#acks.shift()?.();
          this.#inFlight -= n;
          if (this.#inFlight <= IN_FLIGHT_LIMIT) this.#release();
        },
        digest: (hex) => this.#settle?.resolve(hex),
        fail: (err) => {
          this.#failure = err;
          this.#settle?.reject(err);
          for (const ack of this.#acks.splice(0)) ack?.(); // nothing will touch the shared bytes now
          this.#release();
        },
      });
    }
    const fill = this.#fill;
    if (fill === undefined) return; // nothing held yet (the first bytes were shared ones)
    this.#inFlight += this.#filled;
    this.#acks.push(undefined);
    this.#worker.update(this.#id, this.#algorithm, fill.buffer as ArrayBuffer, this.#filled);
    this.#fill = undefined;
    this.#filled = 0;
  }

  #recycle(): void {
    if (this.#fill !== undefined) giveBack(this.#fill.buffer as ArrayBuffer);
    this.#fill = undefined;
    this.#filled = 0;
  }

  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** A file's size and the hex digests of its consecutive segments (one for an empty file). */
export interface FileDigests {
  size: number;
  segments: string[];
}

/**
 * Digests of a file's consecutive segments of `segmentSize` bytes (`Infinity`: one digest of the
 * whole), read and hashed on the hashing worker — the calling thread stays free, and the worker's
 * synchronous 4 MiB reads cost less than a read stream (an MD5 of 256 MiB through
 * `createReadStream` took 0.82 s of the calling thread here, for 0.45 s of hashing). Files up to
 * {@link LOCAL_LIMIT} are read and hashed here: a round trip costs more.
 * @throws the filesystem error (ENOENT, EISDIR …, with its `code`); Error when the worker failed
 */
export async function hashFile(path: string, algorithm: OffThreadAlgorithm, segmentSize = Infinity): Promise<FileDigests> {
  if (statSync(path).size <= LOCAL_LIMIT) {
    const bytes = readFileSync(path);
    const segments: string[] = [];
    for (let start = 0; start < bytes.length || segments.length === 0; start += segmentSize) {
      segments.push(createHash(algorithm).update(bytes.subarray(start, start + segmentSize)).digest("hex"));
    }
    return { size: bytes.length, segments };
  }
  const worker = HashWorker.get();
  return new Promise<FileDigests>((resolve, reject) => {
    const id = worker.open({ file: (size, segments) => resolve({ size, segments }), fail: reject });
    worker.hashFile(id, algorithm, path, segmentSize);
  });
}

/**
 * The end of a storlet's log, kept in bounded memory: a storlet that logs without end costs at most
 * the bound.
 *
 * @packageDocumentation
 */

/** The last `limit` bytes written (as UTF-8 text, cut at a chunk boundary). */
export class LogTail {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #size = 0;
  #dropped = 0;

  /** @param limit - bytes kept */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Appends bytes, dropping the oldest beyond the limit. */
  add(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size - (this.#chunks[0]?.length ?? 0) >= this.#limit && this.#chunks.length > 1) {
      const first = this.#chunks.shift()!;
      this.#size -= first.length;
      this.#dropped += first.length;
    }
  }

  /** The kept text, marked when older lines were dropped. */
  text(): string {
    let bytes = Buffer.concat(this.#chunks);
    let dropped = this.#dropped;
    if (bytes.length > this.#limit) {
      dropped += bytes.length - this.#limit;
      bytes = bytes.subarray(bytes.length - this.#limit);
    }
    return `${dropped > 0 ? `[… ${dropped} earlier bytes of log dropped]\n` : ""}${bytes.toString("utf8")}`;
  }
}

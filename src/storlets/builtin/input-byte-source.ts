/**
 * A FITS {@link ByteSource} over a storlet's input: random access by seeking the input, so the FITS
 * codec reads a header and the rows it needs without the rest of the object being transferred.
 * Reads are served one at a time; a read a little ahead of the current position skips forwards
 * by reading instead of seeking (one request rather than two).
 *
 * @packageDocumentation
 */
import type { ByteSource } from "../../fits/index.js";
import type { StorletInputFile } from "../contract.js";

/** Forward gaps up to this size are read through rather than seeked over. */
const SKIP_BY_READING = 256 * 1024;

/** Random access to a storlet input of known size. */
export class InputByteSource implements ByteSource {
  readonly size: number;
  readonly #input: StorletInputFile;
  #queue: Promise<unknown> = Promise.resolve();
  /** Bytes read from the input (what the storlet pulled, seeks excluded). */
  bytesRead = 0;

  /**
   * @param input - the storlet's input
   * @throws Error when the input's size is unknown (a request body sent chunked)
   */
  constructor(input: StorletInputFile) {
    if (input.size === undefined) throw new Error("this storlet needs an input of known size (an object, or a request body with Content-Length)");
    this.size = input.size;
    this.#input = input;
  }

  /** `length` bytes at `offset`. @throws Error at an unexpected end of the input */
  read(offset: number, length: number): Promise<Uint8Array> {
    const next = this.#queue.then(() => this.#read(offset, length));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #read(offset: number, length: number): Promise<Uint8Array> {
    const gap = offset - this.#input.position;
    if (gap < 0 || gap > SKIP_BY_READING) await this.#input.seek(offset);
    else if (gap > 0) await this.#exactly(gap);
    return this.#exactly(length);
  }

  async #exactly(length: number): Promise<Uint8Array> {
    const bytes = await this.#input.read(length);
    this.bytesRead += bytes.length;
    if (bytes.length !== length) throw new Error(`the input ended ${length - bytes.length} bytes early (at ${this.#input.position} of ${this.size})`);
    return bytes;
  }
}

/**
 * An integer parameter.
 * @throws Error naming the parameter when it is missing (without a default) or not an integer in range
 */
export function intParam(params: Readonly<Record<string, string>>, name: string, min: number, fallback?: number): number {
  const text = params[name];
  if (text === undefined || text === "") {
    if (fallback !== undefined) return fallback;
    throw new Error(`parameter ${name} is required`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`parameter ${name} must be an integer ≥ ${min}, got "${text}"`);
  return value;
}

/**
 * A bound on concurrent transfers (object bodies in or out): beyond `maxActive` requests wait in
 * line, beyond `maxWaiting` they are refused with 503 (E_UNAVAILABLE) so that clients back off
 * instead of piling up sockets and memory.
 *
 * @packageDocumentation
 */
import { StorageError } from "../errors.js";

/**
 * ```ts
 * const release = await gate.enter();   // may wait; throws E_UNAVAILABLE when the line is full
 * try { await transfer(); } finally { release(); }
 * ```
 */
export class TransferGate {
  readonly #maxActive: number;
  readonly #maxWaiting: number;
  readonly #waiting: Array<() => void> = [];
  #active = 0;

  /** @param maxActive - transfers at once; @param maxWaiting - requests allowed to wait for a slot */
  constructor(maxActive: number, maxWaiting: number) {
    this.#maxActive = maxActive;
    this.#maxWaiting = maxWaiting;
  }

  /** Transfers running now. */
  get active(): number {
    return this.#active;
  }

  /**
   * Waits for a slot; the returned function gives it back (calling it twice is harmless).
   * @throws StorageError E_UNAVAILABLE when too many requests are already waiting
   */
  async enter(): Promise<() => void> {
    if (this.#active >= this.#maxActive) {
      if (this.#waiting.length >= this.#maxWaiting) {
        throw new StorageError(`the server is busy (${this.#active} transfers running, ${this.#waiting.length} waiting); try again shortly`, { code: "E_UNAVAILABLE" });
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // the slot passes straight to the next in line
      if (next !== undefined) next();
      else this.#active--;
    };
  }
}

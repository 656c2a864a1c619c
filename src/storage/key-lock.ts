/**
 * Serialises operations on one key within a process.
 *
 * @packageDocumentation
 */

/**
 * A queue per key: `run(key, fn)` starts `fn` after every earlier `fn` of the same key settled.
 * Swift checks `If-None-Match: *` before it receives the body, so two concurrent conditional PUTs
 * of one name can both succeed; serialising them makes `ifAbsent` exact within one storage.
 */
export class KeyLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` once the key is free; its result or error is passed through. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const tail = new Promise<void>((r) => (release = r));
    this.#tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

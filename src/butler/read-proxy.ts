/**
 * Lazy reads: `butler.get(type, dataId, { immediate: false })` finds the dataset at once (so a
 * missing one fails early, as in Gen2) but reads it only on first use.
 *
 * @packageDocumentation
 */

/**
 * A dataset found but not read yet. The first `value()` reads it; later calls return the same object.
 *
 * ```ts
 * const proxy = await butler.get<Exposure>("calexp", { visit: 1, ccd: 0 }, { immediate: false });
 * if (needPixels) (await proxy.value()).image;
 * ```
 */
export class ReadProxy<T> {
  #read: (() => Promise<T>) | undefined;
  #value: Promise<T> | undefined;

  /** @param datasetType - what it is; @param dataId - which; @param read - the deferred read */
  constructor(
    readonly datasetType: string,
    readonly dataId: Readonly<Record<string, unknown>>,
    read: () => Promise<T>,
  ) {
    this.#read = read;
  }

  /** Whether the dataset has been read (or is being read). */
  get isRead(): boolean {
    return this.#value !== undefined;
  }

  /** Reads the dataset on the first call and returns the cached result afterwards. A failed read is retried. */
  value(): Promise<T> {
    if (this.#value === undefined) {
      const read = this.#read!;
      this.#value = read().catch((err: unknown) => {
        this.#value = undefined;
        throw err;
      });
    }
    return this.#value;
  }
}

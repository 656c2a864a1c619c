/**
 * Bounded parallelism over a (possibly lazy, possibly endless) sequence: at most `jobs` calls in
 * flight, items pulled only as workers free up, so a listing of a million keys is never held whole.
 *
 * @packageDocumentation
 */

/**
 * Calls `fn` on every item, at most `jobs` at a time. `fn` should record its own failures (a
 * transfer goes on after one file fails); an error it throws stops new items and is rethrown once
 * the calls in flight settled, as is an error of the sequence itself.
 *
 * ```ts
 * await forEachBounded(storage.list(), 8, async (key) => copy(key));
 * ```
 * @throws RangeError when `jobs` is not a positive integer
 */
export async function forEachBounded<T>(items: AsyncIterable<T> | Iterable<T>, jobs: number, fn: (item: T) => Promise<void>): Promise<void> {
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw new RangeError(`jobs must be a positive integer, got ${jobs}`);
  const iterator = Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : toAsync((items as Iterable<T>)[Symbol.iterator]());
  let failure: { error: unknown } | undefined;
  // one pull at a time: async iterators must not be advanced concurrently
  let pulling: Promise<unknown> = Promise.resolve();
  const next = (): Promise<IteratorResult<T>> => {
    const result = pulling.then(() => iterator.next());
    pulling = result.catch(() => undefined);
    return result;
  };
  const worker = async (): Promise<void> => {
    while (failure === undefined) {
      let item: IteratorResult<T>;
      try {
        item = await next();
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (item.done === true) return;
      try {
        await fn(item.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  if (failure !== undefined) {
    await iterator.return?.().catch(() => undefined);
    throw failure.error;
  }
}

function toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return { next: async () => it.next() };
}

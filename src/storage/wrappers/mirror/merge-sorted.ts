/**
 * The union of several listings, each in ascending UTF-8 byte order, in that order without
 * duplicates. A listing that fails is dropped; the union fails only when every one failed.
 *
 * @packageDocumentation
 */

interface Head {
  iterator: AsyncIterator<string>;
  value: string | undefined;
  bytes: Buffer;
}

/** Merges sorted listings. @throws the first listing's error when all of them failed */
export async function* mergeSorted(listings: AsyncIterable<string>[]): AsyncGenerator<string> {
  const heads: Head[] = [];
  const errors: unknown[] = [];
  const advance = async (head: Head): Promise<boolean> => {
    try {
      const next = await head.iterator.next();
      if (next.done === true) return false;
      head.value = next.value;
      head.bytes = Buffer.from(next.value);
      return true;
    } catch (err) {
      errors.push(err);
      return false;
    }
  };
  for (const listing of listings) {
    const head: Head = { iterator: listing[Symbol.asyncIterator](), value: undefined, bytes: Buffer.alloc(0) };
    if (await advance(head)) heads.push(head);
  }
  if (heads.length === 0 && errors.length === listings.length && errors.length > 0) throw errors[0];
  let last: Buffer | undefined;
  while (heads.length > 0) {
    let min = heads[0]!;
    for (const h of heads) if (Buffer.compare(h.bytes, min.bytes) < 0) min = h;
    if (last === undefined || !last.equals(min.bytes)) {
      last = min.bytes;
      yield min.value!;
    }
    if (!(await advance(min))) heads.splice(heads.indexOf(min), 1);
  }
}

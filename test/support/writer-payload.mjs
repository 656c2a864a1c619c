// What the many-writer test's writers put: a function of the writer and index, so every byte of
// every object can be checked afterwards. Plain JavaScript: the writers (pg-writer.mjs) and the
// test import it alike.

/** What writer `w` puts as its `i`-th dataset: a few bytes to ~10 KB, so a torn upload would show. */
export function payload(w, i) {
  return { w, i, pad: `${w}.${i}:`.repeat(((w * 7919 + i * 104729) % 1000) + 1) };
}

/** The visit (data id) of writer `w`'s `i`-th put. */
export function visitOf(w, i) {
  return w * 1000 + i;
}

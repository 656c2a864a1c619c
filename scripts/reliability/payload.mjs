// What the reliability writers put: a function of writer and index, so every byte of every object
// can be checked afterwards. Plain JavaScript: the writer processes (writer.mjs, over dist/) and
// the sections (TypeScript) import it alike.

/** What writer `w` puts as its `i`-th dataset: `kib` KiB of a pattern naming both. */
export function payload(w, i, kib = 4) {
  const unit = `${w}.${i}:`;
  return { w, i, pad: unit.repeat(Math.ceil((kib * 1024) / unit.length)) };
}

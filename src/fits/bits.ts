/**
 * Bit arrays (TFORM `X`): FITS packs them most significant bit first, padded to whole bytes.
 *
 * @packageDocumentation
 */

/** The first `count` bits of `bytes`, most significant first. */
export function bitsToBooleans(bytes: Uint8Array, count: number): boolean[] {
  const out: boolean[] = new Array(count);
  for (let k = 0; k < count; k++) out[k] = ((bytes[k >> 3]! >> (7 - (k & 7))) & 1) === 1;
  return out;
}

/** Packs `count` flags starting at `from` into `out` at `at` (ceil(count / 8) bytes, zero-padded). */
export function packBits(flags: readonly boolean[], from: number, count: number, out: Uint8Array, at: number): void {
  const bytes = Math.ceil(count / 8);
  out.fill(0, at, at + bytes);
  for (let k = 0; k < count; k++) if (flags[from + k]) out[at + (k >> 3)]! |= 0x80 >> (k & 7);
}

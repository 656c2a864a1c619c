/**
 * Big-endian ⇄ native conversion, and the sign-bit flip that implements the unsigned offset
 * conventions. Swapping uses `Buffer.swap16/32/64` (native code, 4–6× faster than any
 * per-element JavaScript loop, see notes/fits.md).
 *
 * @packageDocumentation
 */

/** Reverses the byte order of every `size`-byte element of `bytes`, in place. */
export function swapInPlace(bytes: Uint8Array, size: 1 | 2 | 4 | 8): void {
  if (size === 1 || bytes.length === 0) return;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (size === 2) view.swap16();
  else if (size === 4) view.swap32();
  else view.swap64();
}

/**
 * Flips the most significant bit of every `size`-byte element held in native (little-endian) order.
 *
 * Adding 2^(n-1) to an n-bit integer modulo 2^n is exactly a flip of its top bit, so this turns a
 * stored signed value into the unsigned one (and back) without arithmetic. It is the one
 * per-element loop left in the image path: it runs over 32-bit words (two 16-bit or four 8-bit
 * pixels per step, and one word in two for 64-bit pixels), which costs about as much as a swap.
 */
export function flipSignBits(bytes: Uint8Array, size: 1 | 2 | 4 | 8): void {
  const n = bytes.length;
  if (n === 0) return;
  if (bytes.byteOffset % 4 !== 0) {
    // Typed arrays are aligned to their element size; a misaligned view only happens for sub-views
    // of byte buffers. Fall back to the high byte of each element.
    for (let i = size - 1; i < n; i += size) bytes[i]! ^= 0x80;
    return;
  }
  // Int32Array, not Uint32Array: its elements stay small integers in V8, where a Uint32Array's top
  // half would become heap doubles (measured 3x slower).
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, n >>> 2);
  const count = words.length;
  if (size === 8) {
    for (let i = 1; i < count; i += 2) words[i]! ^= 0x80000000 | 0;
  } else {
    const mask = (size === 1 ? 0x80808080 : size === 2 ? 0x80008000 : 0x80000000) | 0;
    for (let i = 0; i < count; i++) words[i]! ^= mask;
  }
  for (let i = count * 4 + size - 1; i < n; i += size) bytes[i]! ^= 0x80;
}

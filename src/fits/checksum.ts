/**
 * The FITS checksum (FITS 4.0 §J, the Seaman–Pence convention): the 32-bit ones' complement sum
 * of an HDU's big-endian 32-bit words, DATASUM its decimal value over the data blocks, CHECKSUM a
 * 16-character ASCII encoding chosen so the whole HDU sums to -0.
 *
 * @packageDocumentation
 */

/** 2^32 - 1: a ones' complement 32-bit sum is the integer sum modulo this (with -0 for non-zero sums). */
const MODULUS = 0xffffffffn;

/**
 * A running ones' complement sum over a byte stream. Instead of folding carries word by word it
 * adds up the bytes of each of the four positions of a big-endian word (two lanes of a native
 * 32-bit word at a time, flushed before they can overflow) and combines the four totals at the
 * end: the same value, at integer-add speed, whatever the host byte order of the data.
 */
export class OnesComplementSum {
  /** Sums of the bytes at word positions 0 (most significant) … 3. */
  readonly #lanes = [0, 0, 0, 0];
  #length = 0;
  #aligned: Int32Array | undefined;

  /** Adds the next bytes of the stream. */
  update(bytes: Uint8Array): this {
    return this.addAt(bytes, this.#length);
  }

  /**
   * Adds bytes found at `position` in the stream. The sum only depends on each byte's position
   * modulo 4, so pieces may come in any order (a pipelined read adds chunks as they arrive); the
   * caller guarantees each byte is added once.
   */
  addAt(bytes: Uint8Array, position: number): this {
    let i = 0;
    const n = bytes.length;
    for (; i < n && (position + i) % 4 !== 0; i++) this.#lanes[(position + i) % 4]! += bytes[i]!;
    const words = (n - i) >>> 2;
    if (words > 0) {
      const start = bytes.byteOffset + i;
      if (start % 4 === 0) this.#addWords(new Int32Array(bytes.buffer, start, words));
      else this.#addUnaligned(bytes.subarray(i, i + words * 4));
      i += words * 4;
    }
    for (let k = 0; i < n; i++, k++) this.#lanes[k]! += bytes[i]!;
    this.#length += n;
    return this;
  }

  /** Adds a whole number of zero-padding bytes (nothing to add, but they shift word positions). */
  skipZeros(count: number): this {
    this.#length += count;
    return this;
  }

  /** The 32-bit ones' complement sum so far (0 only when every byte was 0). */
  get value(): number {
    const [b0, b1, b2, b3] = this.#lanes.map(BigInt) as [bigint, bigint, bigint, bigint];
    return fold((b0 << 24n) + (b1 << 16n) + (b2 << 8n) + b3);
  }

  /** Bytes added so far. */
  get length(): number {
    return this.#length;
  }

  #addWords(words: Int32Array): void {
    // Memory order b0 b1 b2 b3 read as a little-endian word: b0 and b2 land in the low bytes of the
    // two 16-bit lanes of `w & 0x00ff00ff`, b1 and b3 in those of `(w >>> 8) & 0x00ff00ff`. A lane
    // holds 257 bytes before it could carry into the next; blocks of 128 also keep the
    // accumulators below 2^31, where V8 keeps them as small integers.
    const littleEndian = LITTLE_ENDIAN;
    const lanes = this.#lanes;
    for (let start = 0; start < words.length; start += 128) {
      const end = Math.min(start + 128, words.length);
      let even = 0;
      let odd = 0;
      for (let j = start; j < end; j++) {
        const w = words[j]!;
        even += w & 0x00ff00ff;
        odd += (w >>> 8) & 0x00ff00ff;
      }
      if (littleEndian) {
        lanes[0]! += even & 0xffff;
        lanes[2]! += even >>> 16;
        lanes[1]! += odd & 0xffff;
        lanes[3]! += odd >>> 16;
      } else {
        lanes[3]! += even & 0xffff;
        lanes[1]! += even >>> 16;
        lanes[2]! += odd & 0xffff;
        lanes[0]! += odd >>> 16;
      }
    }
  }

  #addUnaligned(bytes: Uint8Array): void {
    this.#aligned ??= new Int32Array(16384);
    const scratch = new Uint8Array(this.#aligned.buffer);
    for (let offset = 0; offset < bytes.length; offset += scratch.length) {
      const piece = bytes.subarray(offset, offset + scratch.length);
      scratch.set(piece);
      this.#addWords(this.#aligned.subarray(0, piece.length >>> 2));
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** An integer sum reduced to a 32-bit ones' complement value. */
function fold(total: bigint): number {
  if (total === 0n) return 0;
  const r = total % MODULUS;
  return r === 0n ? 0xffffffff : Number(r);
}

/** The ones' complement sum of two 32-bit sums. */
export function addSums(a: number, b: number): number {
  return fold(BigInt(a) + BigInt(b));
}

/** Whether an HDU's total sum is -0, i.e. its CHECKSUM is right. */
export function isNegativeZero(sum: number): boolean {
  return sum === 0xffffffff;
}

/** Characters ASCII-encoding must avoid: the punctuation between the digits and the letters. */
const EXCLUDED = new Set([0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60]);

/** The CHECKSUM placeholder the sum is computed with: '0' is the encoding's zero offset. */
export const CHECKSUM_PLACEHOLDER = "0000000000000000";

/**
 * The 16-character CHECKSUM value for an HDU whose sum (computed with {@link CHECKSUM_PLACEHOLDER}
 * in the CHECKSUM card) is `sum`: the encoding of its complement, as CFITSIO's `ffesum` does it.
 */
export function encodeChecksum(sum: number): string {
  const value = (0xffffffff - sum) >>> 0;
  const ascii: number[] = new Array(16);
  for (let i = 0; i < 4; i++) {
    const byte = (value >>> (24 - 8 * i)) & 0xff;
    const quotient = (byte >> 2) + 0x30;
    const ch = [quotient + (byte & 3), quotient, quotient, quotient];
    for (let again = true; again; ) {
      again = false;
      for (const c of EXCLUDED) {
        for (let j = 0; j < 4; j += 2) {
          if (ch[j] === c || ch[j + 1] === c) {
            ch[j]!++;
            ch[j + 1]!--;
            again = true;
          }
        }
      }
    }
    for (let j = 0; j < 4; j++) ascii[4 * j + i] = ch[j]!;
  }
  // Rotated one byte to the right, so the encoding lines up with the 4-byte words it is summed in.
  return String.fromCharCode(...ascii.map((_, k) => ascii[(k + 15) % 16]!));
}

/**
 * The Rice codec of tile-compressed FITS images (RICE_1, fpack's RICE_ONE): a port of CFITSIO's
 * `ricecomp.c` (White, Pence), for 1-, 2- and 4-byte integers. Blocks of pixel differences are
 * coded with a per-block split level FS: all-equal blocks in a few bits, noisy ones verbatim.
 *
 * @packageDocumentation
 */
import { FitsError } from "../errors.js";

/** Bytes per pixel a Rice stream may code (ZVAL of BYTEPIX). */
export type RiceBytes = 1 | 2 | 4;

/** Zero bytes after the tile: room for the reads a damaged block may make before it is caught. */
const PADDING = 80;
/** The reused, zero-padded copy of the tile being decoded, and a big-endian view of it. */
let padded = new Uint8Array(4096);
let view = new DataView(padded.buffer);

/** FSBITS, FSMAX and BBITS of CFITSIO for each pixel size. */
const PARAMS: Record<RiceBytes, { fsBits: number; fsMax: number; bBits: number }> = {
  1: { fsBits: 3, fsMax: 6, bBits: 8 },
  2: { fsBits: 4, fsMax: 14, bBits: 16 },
  4: { fsBits: 5, fsMax: 25, bBits: 32 },
};

/**
 * Decodes `count` pixels of `bytes` per pixel from `tile` into `out` (which may be longer), as
 * unsigned values of that size for 1 and 2 bytes (CFITSIO's `unsigned char`/`unsigned short`; a
 * typed-array copy narrows them) and signed 32-bit values for 4. Always an Int32Array: one element
 * type keeps the hot loop monomorphic.
 *
 * Same output as CFITSIO's `fits_rdecomp*`, read differently: instead of a byte-at-a-time bit
 * buffer, each pixel loads the next 32 bits (a big-endian DataView read at the bit position) and
 * takes the unary quotient (count of leading zeros) and the FS low bits from that one word.
 * Work is bounded by `count` plus the tile size, whatever the bytes.
 * @throws FitsError (without location: the caller adds it) when the stream ends too early
 */
export function riceDecode(tile: Uint8Array, out: Int32Array, count: number, blockSize: number, bytes: RiceBytes): void {
  const { fsBits, fsMax, bBits } = PARAMS[bytes];
  const end = tile.length;
  if (end < bytes + 1) throw new FitsError(`Rice tile of ${end} bytes is too short`);
  if (padded.length < end + PADDING) {
    padded = new Uint8Array(Math.max(end + PADDING, padded.length * 2));
    view = new DataView(padded.buffer);
  }
  padded.set(tile);
  padded.fill(0, end, end + PADDING);
  const v = view;
  const endBits = end * 8;
  const limitBits = (end + PADDING - 8) * 8;
  const mask = bytes === 4 ? -1 : (1 << bBits) - 1;
  let last = 0;
  for (let k = 0; k < bytes; k++) last = (last << 8) | padded[k]!;
  let bit = bytes * 8;
  for (let i = 0; i < count; ) {
    const fs = ((v.getUint32(bit >>> 3) << (bit & 7)) >>> (32 - fsBits)) - 1;
    bit += fsBits;
    const imax = Math.min(i + blockSize, count);
    if (fs < 0) {
      // Low entropy: every difference is zero.
      out.fill(last, i, imax);
      i = imax;
    } else if (fs === fsMax) {
      // High entropy: differences stored verbatim in bBits bits.
      for (; i < imax; i++) {
        let diff: number;
        if (bBits === 32) {
          diff = ((v.getUint32(bit >>> 3) << (bit & 7)) >>> 16) << 16;
          bit += 16;
          diff |= (v.getUint32(bit >>> 3) << (bit & 7)) >>> 16;
          bit += 16;
        } else {
          diff = (v.getUint32(bit >>> 3) << (bit & 7)) >>> (32 - bBits);
          bit += bBits;
        }
        if (bit > limitBits) throw new FitsError("Rice tile ends before its last pixel (damaged compressed data)");
        last = (((diff >>> 1) ^ -(diff & 1)) + last) & mask;
        out[i] = last;
      }
    } else {
      for (; i < imax; i++) {
        const shift = bit & 7;
        const w = v.getUint32(bit >>> 3) << shift;
        const zeros = Math.clz32(w);
        let diff: number;
        if (zeros + 1 + fs <= 32 - shift) {
          // The quotient (unary: zeros, then a one) and the FS low bits are all in this word.
          diff = fs === 0 ? zeros : (zeros << fs) | ((w << (zeros + 1)) >>> (32 - fs));
          bit += zeros + 1 + fs;
        } else {
          // A long quotient: count zeros word by word, then read the low bits.
          let z = 0;
          for (;;) {
            if (bit >= endBits) throw new FitsError("Rice tile ends in the middle of a block (damaged compressed data)");
            const s2 = bit & 7;
            const c2 = Math.clz32(v.getUint32(bit >>> 3) << s2);
            if (c2 < 32 - s2) {
              z += c2;
              bit += c2 + 1;
              break;
            }
            z += 32 - s2;
            bit += 32 - s2;
          }
          diff = z << fs;
          if (fs > 0) {
            diff |= (v.getUint32(bit >>> 3) << (bit & 7)) >>> (32 - fs);
            bit += fs;
          }
        }
        if (bit > limitBits) throw new FitsError("Rice tile ends before its last pixel (damaged compressed data)");
        // Undo the mapping 0, -1, 1, -2 … → 0, 1, 2, 3 … and the differencing.
        last = (((diff >>> 1) ^ -(diff & 1)) + last) & mask;
        out[i] = last;
      }
    }
    if (bit > endBits) throw new FitsError("Rice tile ends before its last pixel (damaged compressed data)");
  }
}

/** A growable byte buffer with CFITSIO's bit-output routines. */
class BitWriter {
  bytes: Uint8Array;
  length = 0;
  buffer = 0;
  bitsToGo = 8;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  put(byte: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = byte;
  }

  /** Appends the low `n` bits of `bits` (n ≤ 32). */
  write(bits: number, n: number): void {
    let buffer = this.buffer;
    let toGo = this.bitsToGo;
    if (toGo + n > 32) {
      // Flush the partial byte first so the shifts below never exceed 32 bits.
      buffer = (buffer << toGo) | ((bits >>> (n - toGo)) & ((1 << toGo) - 1));
      this.put(buffer & 0xff);
      n -= toGo;
      toGo = 8;
    }
    buffer = n === 32 ? bits : (buffer << n) | (bits & ((1 << n) - 1));
    toGo -= n;
    while (toGo <= 0) {
      this.put((buffer >> -toGo) & 0xff);
      toGo += 8;
    }
    this.buffer = buffer;
    this.bitsToGo = toGo;
  }

  finish(): Uint8Array {
    if (this.bitsToGo < 8) this.put((this.buffer << this.bitsToGo) & 0xff);
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * Rice-codes `values` (integers that fit `bytes` bytes; wider ones are wrapped) as CFITSIO's
 * `fits_rcomp` / `_short` / `_byte` do.
 */
export function riceEncode(values: ArrayLike<number>, blockSize: number, bytes: RiceBytes): Uint8Array {
  const { fsBits, fsMax, bBits } = PARAMS[bytes];
  const n = values.length;
  const out = new BitWriter(Math.max(64, n * bytes + (n >> 2) + 16));
  const shift = 32 - bBits;
  const wrap = (v: number): number => (shift === 0 ? v | 0 : (v << shift) >> shift);
  const diff = new Uint32Array(blockSize);
  let last = n > 0 ? wrap(values[0]!) : 0;
  out.write(last, bBits);
  for (let i = 0; i < n; i += blockSize) {
    const block = Math.min(blockSize, n - i);
    let sum = 0;
    for (let j = 0; j < block; j++) {
      const next = wrap(values[i + j]!);
      const d = wrap(next - last);
      // Map differences to non-negative values: 0, -1, 1, -2 … → 0, 1, 2, 3 …
      diff[j] = d < 0 ? ~(d << 1) : d << 1;
      sum += diff[j]!;
      last = next;
    }
    let dpsum = (sum - Math.trunc(block / 2) - 1) / block;
    if (dpsum < 0) dpsum = 0;
    let psum = (dpsum >>> 0) >>> 1;
    let fs = 0;
    for (; psum > 0; fs++) psum >>>= 1;
    if (fs >= fsMax) {
      out.write(fsMax + 1, fsBits);
      for (let j = 0; j < block; j++) out.write(diff[j]!, bBits);
    } else if (fs === 0 && sum === 0) {
      out.write(0, fsBits);
    } else {
      out.write(fs + 1, fsBits);
      const fsMask = (1 << fs) - 1;
      let buffer = out.buffer;
      let toGo = out.bitsToGo;
      for (let j = 0; j < block; j++) {
        const v = diff[j]!;
        let top = v >>> fs;
        if (toGo >= top + 1) {
          buffer = (buffer << (top + 1)) | 1;
          toGo -= top + 1;
        } else {
          buffer <<= toGo;
          out.put(buffer & 0xff);
          for (top -= toGo; top >= 8; top -= 8) out.put(0);
          buffer = 1;
          toGo = 7 - top;
        }
        if (fs > 0) {
          buffer = (buffer << fs) | (v & fsMask);
          toGo -= fs;
          while (toGo <= 0) {
            out.put((buffer >> -toGo) & 0xff);
            toGo += 8;
          }
        }
      }
      out.buffer = buffer;
      out.bitsToGo = toGo;
    }
  }
  return out.finish();
}

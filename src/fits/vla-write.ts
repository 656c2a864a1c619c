/**
 * Writing variable-length array columns: each row's array goes to the heap after the rows, its
 * descriptor (count, offset) into the row. Arrays are encoded big-endian one row at a time.
 *
 * @packageDocumentation
 */
import type { PixelArray } from "../image/image.js";
import { FitsError } from "../errors.js";
import { bytesPerPixel, storageTypeOf, type Bitpix } from "./bitpix.js";
import { flipSignBits, swapInPlace } from "./byte-order.js";
import type { VarColumn } from "./vla-read.js";

const CODE_OF_BITPIX: Record<Bitpix, string> = { 8: "B", 16: "I", 32: "J", 64: "K", [-32]: "E", [-64]: "D" };

/** How a variable-length column is laid out on the heap. */
export interface VarPlan {
  /** The element type letter (B I J K E D A L). */
  arrayCode: string;
  /** Elements in each row's array. */
  counts: number[];
  /** Each row's byte offset from the heap start (filled in by the table planner). */
  offsets: number[];
  /** Bytes of each row's array. */
  sizes: number[];
  /** TZEROn of an offset convention. */
  zero?: number | bigint;
  /** Encodes row `r`'s array, big-endian, into `out` at `at` (`sizes[r]` bytes). */
  encode(r: number, out: Uint8Array, at: number): void;
}

/**
 * Checks a variable-length column and plans its rows.
 * @throws FitsError when rows mix types, or hold something FITS cannot store
 */
export function planVarColumn(values: VarColumn, fail: (why: string) => FitsError): VarPlan {
  const rows = values as unknown[];
  const offsets = new Array<number>(rows.length).fill(0);
  if (rows.every((v) => typeof v === "string")) {
    const strings = rows as string[];
    for (const s of strings) if (!/^[\x20-\x7e]*$/.test(s)) throw fail(`string ${JSON.stringify(s)} is not printable ASCII`);
    const counts = strings.map((s) => s.length);
    return { arrayCode: "A", counts, offsets, sizes: counts, encode: (r, out, at) => void out.set(Buffer.from(strings[r]!, "latin1"), at) };
  }
  if (rows.every((v) => Array.isArray(v) && v.every((b) => typeof b === "boolean"))) {
    const flags = rows as boolean[][];
    const counts = flags.map((f) => f.length);
    return {
      arrayCode: "L",
      counts,
      offsets,
      sizes: counts,
      encode: (r, out, at) => flags[r]!.forEach((f, k) => (out[at + k] = f ? 0x54 : 0x46)),
    };
  }
  const typed = rows as PixelArray[];
  const first = typed[0];
  if (!typed.every((v) => ArrayBuffer.isView(v) && v.constructor === first?.constructor)) {
    throw fail("a variable-length column holds one typed array per row, all of one type, or strings, or boolean arrays");
  }
  const { bitpix, zero } = first ? storageTypeOf(first) : { bitpix: 8 as Bitpix, zero: undefined };
  const size = bytesPerPixel(bitpix);
  const counts = typed.map((v) => v.length);
  const plan: VarPlan = {
    arrayCode: CODE_OF_BITPIX[bitpix],
    counts,
    offsets,
    sizes: counts.map((n) => n * size),
    encode(r, out, at) {
      const v = typed[r]!;
      const piece = out.subarray(at, at + v.byteLength);
      piece.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      if (zero !== undefined) flipSignBits(piece, size);
      swapInPlace(piece, size);
    },
  };
  if (zero !== undefined) plan.zero = zero;
  return plan;
}

/** Where encoded bytes go. */
interface Sink {
  write(bytes: Uint8Array): Promise<void>;
}

/** Writes the heap: every array of every column, in column then row order, batched through `scratch`. */
export async function writeHeap(sink: Sink, heaps: VarPlan[], scratch: Uint8Array): Promise<void> {
  let used = 0;
  for (const heap of heaps) {
    for (let r = 0; r < heap.sizes.length; r++) {
      const size = heap.sizes[r]!;
      if (used + size > scratch.length) {
        await sink.write(scratch.subarray(0, used));
        used = 0;
      }
      if (size > scratch.length) {
        const own = new Uint8Array(size);
        heap.encode(r, own, 0);
        await sink.write(own);
      } else {
        heap.encode(r, scratch, used);
        used += size;
      }
    }
  }
  if (used > 0) await sink.write(scratch.subarray(0, used));
}

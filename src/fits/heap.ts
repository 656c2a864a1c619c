/**
 * Variable-length array descriptors (TFORM `P` and `Q`, FITS 4.0 §7.3.5) and their bounds: every
 * descriptor is checked against the heap before anything is read or allocated for it.
 *
 * @packageDocumentation
 */
import { FitsError } from "../errors.js";

/** Where a heap array lies: its element count and byte offset from the heap start. */
export interface Descriptor {
  count: number;
  offset: number;
}

/**
 * Reads the descriptor at `at` in `view`: two big-endian 32-bit (P) or 64-bit (Q) integers.
 * @throws FitsError for negative or (Q) unsafe values, located at `fileOffset`
 */
export function readDescriptor(view: DataView, at: number, wide: boolean, hdu: number, fileOffset: number): Descriptor {
  if (!wide) {
    const count = view.getInt32(at);
    const offset = view.getInt32(at + 4);
    if (count < 0 || offset < 0) throw new FitsError(`negative variable-length array descriptor (${count}, ${offset})`, hdu, fileOffset);
    return { count, offset };
  }
  const count = view.getBigInt64(at);
  const offset = view.getBigInt64(at + 8);
  if (count < 0n || offset < 0n || count > BigInt(Number.MAX_SAFE_INTEGER) || offset > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FitsError(`variable-length array descriptor (${count}, ${offset}) is out of range`, hdu, fileOffset);
  }
  return { count: Number(count), offset: Number(offset) };
}

/**
 * The byte length of a heap array of `elementBits`-bit elements, after checking it lies inside a
 * heap of `heapSize` bytes (astropy 5.2.1 silently returns an empty array instead; CFITSIO and the
 * standard make it an error).
 * @throws FitsError located at the descriptor
 */
export function spanBytes(d: Descriptor, elementBits: number, heapSize: number, hdu: number, fileOffset: number): number {
  const bytes = Math.ceil((d.count * elementBits) / 8);
  if (d.offset + bytes > heapSize) {
    throw new FitsError(`variable-length array of ${bytes} bytes at heap offset ${d.offset} runs past the end of the ${heapSize}-byte heap`, hdu, fileOffset);
  }
  return bytes;
}

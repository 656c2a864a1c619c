/**
 * Variable-length array columns (TFORM `rPt(max)` / `rQt(max)`): each row's descriptor checked
 * against the heap, then its elements decoded from one read of the heap.
 *
 * @packageDocumentation
 */
import type { PixelArray } from "../image/image.js";
import { FitsError } from "../errors.js";
import { allocateRaw, bytesPerPixel } from "./bitpix.js";
import { swapInPlace } from "./byte-order.js";
import { readExactly, type ByteSource } from "./byte-source.js";
import type { ColumnLayout, HduLayout } from "./hdu-layout.js";
import { readDescriptor, spanBytes, type Descriptor } from "./heap.js";
import { applyConversion, planConversion } from "./scaling.js";
import { ELEMENT_BITS, NUMERIC_CODES } from "./tform.js";
import { bitsToBooleans } from "./bits.js";

/**
 * A variable-length column, one entry per row: typed arrays for numbers (complex C/M as
 * interleaved Float32/Float64 pairs), strings for `PA`, boolean arrays for `PL` and `PX`.
 */
export type VarColumn = PixelArray[] | string[] | boolean[][];

/**
 * Overlapping descriptors may share heap bytes (legal, if rare); a damaged table could make every
 * row point at the whole heap. Decoded arrays may add up to this many times the heap, no more.
 */
const MAX_HEAP_REUSE = 16;

/**
 * Reads the rows of a variable-length column whose descriptors (the column's row bytes, row after
 * row) were gathered into `descriptors`.
 * @throws FitsError for a descriptor outside the heap (astropy 5.2.1 returns an empty array;
 *   CFITSIO and the standard make it an error), or arrays adding up to far more than the heap
 */
export async function readVarColumn(layout: HduLayout, column: ColumnLayout, descriptors: Uint8Array, heap: () => Promise<Uint8Array>): Promise<VarColumn> {
  const table = layout.table!;
  const wide = column.tform.code === "Q";
  const code = column.tform.arrayCode as keyof typeof ELEMENT_BITS;
  const bits = ELEMENT_BITS[code];
  const heapSize = layout.dataSize - table.heapOffset;
  const view = new DataView(descriptors.buffer, descriptors.byteOffset, descriptors.byteLength);
  const spans: Array<[Descriptor, number]> = [];
  let total = 0;
  for (let r = 0; r < table.nrows; r++) {
    const at = layout.dataOffset + r * table.rowBytes + column.offset;
    const d = readDescriptor(view, r * column.tform.width, wide, layout.index, at);
    const bytes = spanBytes(d, bits, heapSize, layout.index, at);
    total += bytes;
    if (total > MAX_HEAP_REUSE * heapSize + (1 << 20)) {
      throw new FitsError(`column ${column.name}'s arrays add up to more than ${MAX_HEAP_REUSE} times the ${heapSize}-byte heap`, layout.index, at);
    }
    spans.push([d, bytes]);
  }
  const bytes = total === 0 ? new Uint8Array(0) : await heap();
  const slice = (d: Descriptor, n: number): Uint8Array => bytes.subarray(d.offset, d.offset + n);
  if (code === "A") return spans.map(([d, n]) => Buffer.from(slice(d, n)).toString("latin1").replace(/\0.*$/s, "").replace(/ +$/, ""));
  if (code === "L") return spans.map(([d, n]) => Array.from(slice(d, n), (b) => b === 0x54));
  if (code === "X") return spans.map(([d, n]) => bitsToBooleans(slice(d, n), d.count));
  const bitpix = code === "C" ? -32 : code === "M" ? -64 : NUMERIC_CODES[code];
  if (bitpix === undefined) throw new FitsError(`column ${column.name} has an unknown array type ${code}`, layout.index, layout.headerOffset);
  const plan = code === "C" || code === "M" ? ({ kind: "none" } as const) : planConversion(bitpix, column.scaling);
  return spans.map(([d, n]) => {
    const raw = allocateRaw(bitpix, n / bytesPerPixel(bitpix));
    const rawBytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    rawBytes.set(slice(d, n));
    swapInPlace(rawBytes, bytesPerPixel(bitpix));
    return applyConversion(raw, bitpix, plan);
  }) as PixelArray[];
}

/** Reads a table's heap (bounded by the file: its size was checked when the file was opened). */
export function heapReader(source: ByteSource, layout: HduLayout): () => Promise<Uint8Array> {
  let heap: Promise<Uint8Array> | undefined;
  const table = layout.table!;
  return () => (heap ??= readExactly(source, layout.dataOffset + table.heapOffset, layout.dataSize - table.heapOffset, layout.index));
}

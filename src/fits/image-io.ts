/**
 * Image data ⇄ bytes: whole or partial reads straight into the destination typed array, and
 * chunked writes through one reused scratch buffer.
 *
 * @packageDocumentation
 */
import type { PixelArray } from "../image/image.js";
import { FitsError } from "../errors.js";
import { allocateRaw, bytesPerPixel, storageTypeOf } from "./bitpix.js";
import { flipSignBits, swapInPlace } from "./byte-order.js";
import { readFully, type ByteSource } from "./byte-source.js";
import type { OnesComplementSum } from "./checksum.js";
import type { SwapScratch } from "./swap-scratch.js";
import type { HduLayout } from "./hdu-layout.js";
import { applyConversion, planConversion } from "./scaling.js";

/** A half-open range `[start, end)` of indices along one axis. */
export type IndexRange = [start: number, end: number];

/** Which part of an image to read: rows along the second-to-last axis, cols along the last. */
export interface ImageRegion {
  /** Rows `[start, end)` (the slower of the two last axes, FITS NAXIS2). Default: all. */
  rows?: IndexRange;
  /** Columns `[start, end)` (the fastest axis, FITS NAXIS1). Default: all. */
  cols?: IndexRange;
}

/** Pixels and their row-major shape. */
export interface ImageData {
  data: PixelArray;
  shape: number[];
}

/** Reads in flight at once: enough to keep a disk or an HTTP connection busy, few enough to stay polite. */
const CONCURRENT_READS = 4;

/**
 * Reads an image or part of one: only the bytes of the selected rows and columns, one ranged read
 * per contiguous run, straight into the stored-type array, then swaps it to native order and
 * applies BZERO/BSCALE/BLANK.
 *
 * @param sum - when given and the whole image is read, the stored bytes are added to it (for DATASUM)
 * @throws FitsError for a region outside the image, or an HDU that holds no plain image
 */
export async function readImageData(source: ByteSource, layout: HduLayout, region: ImageRegion = {}, sum?: OnesComplementSum): Promise<ImageData> {
  if (layout.kind !== "image") throw new FitsError(`HDU ${layout.index} is a ${layout.kind}, not an image; readImage cannot read it yet`, layout.index);
  if (layout.randomGroups) throw new FitsError("random-groups primary HDUs are not supported", layout.index, layout.headerOffset);
  const shape = layout.shape;
  const selection = selectRanges(shape, region, layout.index);
  const outShape = selection.map(([a, b]) => b - a);
  const count = outShape.reduce((p, n) => p * n, shape.length === 0 ? 0 : 1);
  const size = bytesPerPixel(layout.bitpix);
  const raw = allocateRaw(layout.bitpix, count);
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  const plan = planConversion(layout.bitpix, layout.scaling);
  const whole = bytes.length === layout.dataSize;
  if (count > 0) {
    // Reads go out in pieces of at most CHUNK_BYTES, several in flight; each piece is swapped (and
    // summed, sign-flipped) on arrival, so the CPU work overlaps the remaining I/O.
    const runs = pieces(contiguousRuns(shape, selection), Math.floor(CHUNK_BYTES / size));
    const gap = Math.floor((source.mergeGap ?? 0) / size);
    await runPool(nearbyGroups(runs, gap, Math.floor(CHUNK_BYTES / size)), CONCURRENT_READS, async (group) => {
      const [first] = group;
      if (group.length === 1) {
        const [element, destination, length] = first!;
        await readFully(source, layout.dataOffset + element * size, bytes.subarray(destination * size, (destination + length) * size), layout.index);
      } else {
        // one read for runs separated by small gaps (a sub-image's rows on an object store), then
        // each run copied to its place; the gaps' bytes are dropped
        const last = group[group.length - 1]!;
        const span = new Uint8Array((last[0] + last[2] - first![0]) * size);
        await readFully(source, layout.dataOffset + first![0] * size, span, layout.index);
        for (const [element, destination, length] of group) {
          const from = (element - first![0]) * size;
          bytes.set(span.subarray(from, from + length * size), destination * size);
        }
      }
      for (const [element, destination, length] of group) {
        const piece = bytes.subarray(destination * size, (destination + length) * size);
        if (sum && whole) sum.addAt(piece, element * size);
        swapInPlace(piece, size);
        if (plan.kind === "offset") flipSignBits(piece, size);
      }
    });
  }
  if (plan.kind === "offset") return { data: new plan.to(raw.buffer as ArrayBuffer, raw.byteOffset, raw.length), shape: outShape };
  return { data: applyConversion(raw, layout.bitpix, plan), shape: outShape };
}

/** Bytes per read: large enough to amortise a call, small enough to pipeline a big image. */
const CHUNK_BYTES = 4 << 20;

/**
 * Runs (in file order) grouped so that one read can serve a group: consecutive runs whose gap is at
 * most `gap` elements, spanning at most `maxSpan` elements. With `gap` 0 each run is its own group
 * unless runs touch (they never do: {@link contiguousRuns} already joined those).
 */
function* nearbyGroups(runs: Iterable<Run>, gap: number, maxSpan: number): Generator<Run[]> {
  let group: Run[] = [];
  for (const run of runs) {
    const first = group[0];
    const last = group[group.length - 1];
    if (first !== undefined && last !== undefined) {
      const gapBefore = run[0] - (last[0] + last[2]);
      const span = run[0] + run[2] - first[0];
      if (gap <= 0 || gapBefore < 0 || gapBefore > gap || span > maxSpan) {
        yield group;
        group = [];
      }
    }
    group.push(run);
  }
  if (group.length > 0) yield group;
}

/** Splits runs longer than `limit` elements into pieces. */
function* pieces(runs: Iterable<Run>, limit: number): Generator<Run> {
  for (const [element, destination, length] of runs) {
    for (let done = 0; done < length; done += limit) yield [element + done, destination + done, Math.min(limit, length - done)];
  }
}

/**
 * The `[start, end)` range selected on each axis (row-major order) by a region.
 * @throws FitsError for a range outside the image or rows/cols of an image with too few axes
 */
export function selectRanges(shape: number[], region: ImageRegion, hdu: number): IndexRange[] {
  const ranges: IndexRange[] = shape.map((n) => [0, n]);
  const n = shape.length;
  const pick = (range: IndexRange | undefined, axis: number, what: string): void => {
    if (range === undefined) return;
    if (axis < 0) throw new FitsError(`cannot select ${what} of a ${n}-dimensional image`, hdu);
    const [start, end] = range;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > shape[axis]!) {
      throw new FitsError(`${what} [${start}, ${end}) is outside [0, ${shape[axis]}]`, hdu);
    }
    ranges[axis] = [start, end];
  };
  pick(region.rows, n >= 2 ? n - 2 : -1, "rows");
  pick(region.cols, n >= 1 ? n - 1 : -1, "cols");
  return ranges;
}

/** A run: [first element in the file, first element in the destination, length in elements]. */
type Run = [number, number, number];

/**
 * The selection as maximal runs of elements contiguous in the file (whole rows merge into one run,
 * whole planes into one run), generated lazily so a huge cube never needs a huge run list.
 */
function* contiguousRuns(shape: number[], ranges: IndexRange[]): Generator<Run> {
  const n = shape.length;
  const strides: number[] = new Array(n);
  let stride = 1;
  for (let k = n - 1; k >= 0; k--) {
    strides[k] = stride;
    stride *= shape[k]!;
  }
  const [colStart, colEnd] = ranges[n - 1]!;
  const length = colEnd - colStart;
  const index = ranges.slice(0, n - 1).map(([a]) => a);
  let pending: Run | undefined;
  let destination = 0;
  for (;;) {
    let element = colStart;
    for (let k = 0; k < n - 1; k++) element += index[k]! * strides[k]!;
    if (pending && pending[0] + pending[2] === element) pending[2] += length;
    else {
      if (pending) yield pending;
      pending = [element, destination, length];
    }
    destination += length;
    // Odometer over the outer axes.
    let k = n - 2;
    for (; k >= 0; k--) {
      index[k]!++;
      if (index[k]! < ranges[k]![1]) break;
      index[k] = ranges[k]![0];
    }
    if (k < 0) break;
  }
  if (pending) yield pending;
}

/** Runs `task` over the items with at most `limit` in flight; the first failure rejects. */
export async function runPool<T>(items: Iterable<T>, limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let failed = false;
  const worker = async (): Promise<void> => {
    for (let next = iterator.next(); !next.done && !failed; next = iterator.next()) {
      try {
        await task(next.value);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Where encoded bytes go (a file handle when writing a file). */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

/** Pieces an image is written in, each up to a quarter of the scratch buffer, all in flight at once. */
const WRITE_PIECES = 4;

/**
 * Writes pixels as big-endian FITS data through `scratch`, cut in {@link WRITE_PIECES} pieces:
 * copy a chunk into a piece, flip sign bits for the unsigned conventions, swap (SIMD, see
 * {@link SwapScratch}), and start writing it while the next pieces are encoded (the CPU work
 * overlaps the I/O). Four 1 MiB pieces measured 0.85–0.9× the time of `fs.writeFile` of the same
 * bytes for 64 MiB where two 2 MiB pieces took 1.9×. Memory stays at the scratch buffer whatever
 * the image size. Padding is the caller's job.
 */
export async function writeImageData(sink: ByteSink, data: PixelArray, scratch: SwapScratch): Promise<void> {
  const { bitpix, zero } = storageTypeOf(data);
  const size = bytesPerPixel(bitpix);
  const source = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const pieceBytes = Math.floor(scratch.bytes.length / (8 * WRITE_PIECES)) * 8;
  const pieces = Array.from({ length: WRITE_PIECES }, (_, k) => scratch.bytes.subarray(k * pieceBytes, (k + 1) * pieceBytes));
  const writing: Promise<void>[] = [];
  try {
    for (let offset = 0, k = 0; offset < source.length; offset += pieceBytes, k = (k + 1) % WRITE_PIECES) {
      // this piece's previous write must be done before it is refilled
      await writing[k];
      const n = Math.min(pieceBytes, source.length - offset);
      const piece = pieces[k]!.subarray(0, n);
      piece.set(source.subarray(offset, offset + n));
      if (zero !== undefined) flipSignBits(piece, size);
      scratch.swap(piece, size);
      writing[k] = sink.write(piece);
      // A failure surfaces from the await that reaches it; this only stops it counting as unhandled.
      writing[k]!.catch(() => undefined);
    }
    await Promise.all(writing);
  } finally {
    // every write settles before the scratch is reused (or the file closed), failed or not
    await Promise.allSettled(writing);
  }
}

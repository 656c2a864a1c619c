/**
 * An input of a storlet invocation as the runner sees it: its user metadata, its size when known,
 * and a way to open its bytes — again at any offset when the source allows ranged reads (a file, a
 * Swift object, an object of a skybutler server), once when it does not (a request body).
 *
 * @packageDocumentation
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import type { Storage } from "../storage/index.js";

/** One input of a storlet. */
export interface StorletInput {
  /** The object's user metadata, keys as the storlet sees them (Title-Case, see `storletMetadataKey`). */
  metadata: Record<string, string>;
  /** Size in bytes, when known (not for a request body sent chunked). */
  size?: number;
  /**
   * The bytes from `offset` (relative to the input, which may itself be a range of an object) to
   * its end. Called once more for every seek of a JavaScript storlet when `seekable`.
   */
  open(offset: number): Promise<Readable>;
  /** Whether {@link StorletInput.open} may be called again, at any offset. */
  seekable: boolean;
}

/** A range of an input object: `length` bytes from `offset` (to the end without `length`). */
export interface InputRange {
  offset: number;
  length?: number;
}

/**
 * An input over an object of a storage, optionally a range of it: every open is a ranged read, so
 * a seek costs one request and only the bytes wanted travel.
 */
export function storageInput(storage: Storage, key: string, size: number, metadata: Record<string, string>, range?: InputRange): StorletInput {
  const start = range?.offset ?? 0;
  const end = range?.length === undefined ? size : Math.min(size, start + range.length);
  const length = Math.max(0, end - start);
  return {
    metadata,
    size: length,
    seekable: true,
    open: async (offset) => {
      if (offset >= length) return Readable.from([]);
      return storage.readStream(key, { offset: start + offset, length: length - offset });
    },
  };
}

/** An input over a local file (its bytes from `range` when given). @throws the `fs` error of stat */
export async function fileInput(path: string, metadata: Record<string, string> = {}, range?: InputRange): Promise<StorletInput> {
  const size = (await stat(path)).size;
  const start = Math.min(size, range?.offset ?? 0);
  const end = range?.length === undefined ? size : Math.min(size, start + range.length);
  const length = end - start;
  return {
    metadata,
    size: length,
    seekable: true,
    open: async (offset) => (offset >= length ? Readable.from([]) : createReadStream(path, { start: start + offset, end: end - 1 })),
  };
}

/** An input over a stream that can be read once (a request body): seeks go forwards only. */
export function streamInput(stream: Readable, metadata: Record<string, string>, size?: number): StorletInput {
  let opened = false;
  return {
    metadata,
    ...(size === undefined ? {} : { size }),
    seekable: false,
    open: async () => {
      if (opened) throw new Error("this input can be read only once");
      opened = true;
      return stream;
    },
  };
}

/** An input of bytes in memory. */
export function bytesInput(bytes: Uint8Array, metadata: Record<string, string> = {}): StorletInput {
  return {
    metadata,
    size: bytes.length,
    seekable: true,
    open: async (offset) => Readable.from(offset >= bytes.length ? [] : [Buffer.from(bytes.buffer, bytes.byteOffset + offset, bytes.length - offset)]),
  };
}

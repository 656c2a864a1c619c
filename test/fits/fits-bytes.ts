/**
 * Helpers for FITS tests: hand-built headers and files (to make damaged or unusual input that no
 * writer would produce), a ByteSource that counts what it is asked for, and a temp directory.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ByteSource } from "../../src/fits/index.js";

/** Header bytes: the cards (padded to 80), END, blanks to a whole block. */
export function headerBlocks(cards: string[], end = true): Buffer {
  const text = [...cards, ...(end ? ["END"] : [])].map((c) => c.padEnd(80)).join("");
  return Buffer.from(text.padEnd(Math.ceil(text.length / 2880) * 2880, " "), "latin1");
}

/** Data bytes padded with zeros to a whole block. */
export function dataBlocks(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.ceil(bytes.length / 2880) * 2880);
  out.set(bytes);
  return out;
}

/** Big-endian bytes of values written with a DataView setter (independent of the codec). */
export function bigEndian(values: ArrayLike<number | bigint>, size: 1 | 2 | 4 | 8, kind: "int" | "uint" | "float"): Buffer {
  const out = Buffer.alloc(values.length * size);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const at = i * size;
    if (kind === "float") {
      if (size === 4) out.writeFloatBE(v as number, at);
      else out.writeDoubleBE(v as number, at);
    } else if (kind === "int") {
      if (size === 1) out.writeInt8(v as number, at);
      else if (size === 2) out.writeInt16BE(v as number, at);
      else if (size === 4) out.writeInt32BE(v as number, at);
      else out.writeBigInt64BE(BigInt(v), at);
    } else if (size === 1) out.writeUInt8(v as number, at);
    else if (size === 2) out.writeUInt16BE(v as number, at);
    else if (size === 4) out.writeUInt32BE(v as number, at);
    else out.writeBigUInt64BE(BigInt(v), at);
  }
  return out;
}

/** A primary image HDU built by hand. */
export function primaryImage(extraCards: string[], bitpix: number, axes: number[], data: Uint8Array): Buffer {
  const cards = ["SIMPLE  =                    T", `BITPIX  = ${bitpix}`, `NAXIS   = ${axes.length}`, ...axes.map((n, i) => `NAXIS${i + 1}  = ${n}`), ...extraCards];
  return Buffer.concat([headerBlocks(cards), dataBlocks(data)]);
}

/** Wraps bytes as a ByteSource that records every range asked for. */
export class CountingSource implements ByteSource {
  readonly reads: Array<[offset: number, length: number]> = [];
  closed = false;

  constructor(readonly bytes: Uint8Array) {}

  get size(): number {
    return this.bytes.length;
  }

  get bytesRead(): number {
    return this.reads.reduce((sum, [, n]) => sum + n, 0);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push([offset, length]);
    if (offset < 0 || offset + length > this.bytes.length) throw new RangeError(`read beyond the end: ${offset}+${length}`);
    return this.bytes.slice(offset, offset + length);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A fresh temp directory under the OS temp dir, and its removal. */
export async function makeTempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "skybutler-fits-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

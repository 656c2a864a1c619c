/**
 * A guard for FITS bytes arriving as a stream from somewhere that can make them up cheaply (a gzip
 * stream inflates a few megabytes into gigabytes): it reads each header as it passes, works out
 * how many data bytes that header declares, and stops the stream with a FitsError as soon as more
 * bytes arrive than the headers declare, or the bytes are no FITS at all. What passes is exactly
 * what a FITS reader would look at; memory stays at one header.
 *
 * @packageDocumentation
 */
import { Transform, type TransformCallback } from "node:stream";
import { FitsError } from "../errors.js";
import { describeHdu } from "./hdu-layout.js";
import { BLOCK_SIZE, padToBlock, parseHeaderBytes } from "./header-io.js";

/** Options of {@link fitsSizeGuard}. */
export interface FitsSizeGuardOptions {
  /** Where the bytes come from, for messages. */
  what: string;
  /** Most header blocks one HDU may have before its END (default 10,000: 360,000 cards). */
  maxHeaderBlocks?: number;
  /** Bytes allowed after the last HDU (trailing padding some writers leave; default one block). */
  maxTrailing?: number;
}

/**
 * A Transform that passes FITS bytes through while they agree with their headers.
 * @throws FitsError (from the stream) for bytes that are no FITS, a header without END within the
 *   bound, data sizes the headers declare impossibly, or more bytes than the headers declare
 */
export function fitsSizeGuard(options: FitsSizeGuardOptions): Transform {
  const maxHeaderBlocks = options.maxHeaderBlocks ?? 10_000;
  const maxTrailing = options.maxTrailing ?? BLOCK_SIZE;
  let header: Buffer[] = [];
  let headerBytes = 0;
  let hdu = 0;
  let offset = 0; // bytes passed so far
  let headerStart = 0; // where the header being collected starts
  let dataLeft = 0; // data (and padding) bytes of the current HDU still to pass
  let trailing = -1; // bytes after the last HDU, once a header did not start as one

  const takeHeader = (chunk: Buffer): Buffer => {
    // collect whole blocks until one holds END; returns what is left of the chunk after it
    if (headerBytes === 0) headerStart = offset;
    const need = BLOCK_SIZE - (headerBytes % BLOCK_SIZE);
    const part = chunk.subarray(0, need);
    header.push(part);
    headerBytes += part.length;
    if (headerBytes % BLOCK_SIZE !== 0) return chunk.subarray(part.length);
    const block = part.length === BLOCK_SIZE ? part : Buffer.concat(header).subarray(headerBytes - BLOCK_SIZE);
    if (headerBytes === BLOCK_SIZE) {
      const start = block.toString("latin1", 0, 8);
      if (start !== (hdu === 0 ? "SIMPLE  " : "XTENSION")) {
        if (hdu === 0) throw new FitsError(`${options.what} is not a FITS file (it does not start with SIMPLE)`, 0, 0);
        trailing = block.length;
        header = [];
        return chunk.subarray(part.length);
      }
    }
    if (!hasEnd(block)) {
      if (headerBytes / BLOCK_SIZE >= maxHeaderBlocks) {
        throw new FitsError(`${options.what}: a header of more than ${maxHeaderBlocks} blocks without END`, hdu, headerStart);
      }
      return chunk.subarray(part.length);
    }
    const all = Buffer.concat(header);
    const parsed = parseHeaderBytes(all, hdu, headerStart);
    dataLeft = padToBlock(describeHdu(parsed, hdu, Number.MAX_SAFE_INTEGER).dataSize);
    hdu++;
    header = [];
    headerBytes = 0;
    return chunk.subarray(part.length);
  };

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      try {
        let rest = chunk;
        while (rest.length > 0) {
          if (trailing >= 0) {
            trailing += rest.length;
            offset += rest.length;
            if (trailing > maxTrailing) {
              throw new FitsError(`${options.what} holds more bytes than its headers declare (${offset} bytes so far)`, hdu, offset);
            }
            break;
          }
          if (dataLeft > 0) {
            const n = Math.min(dataLeft, rest.length);
            dataLeft -= n;
            offset += n;
            rest = rest.subarray(n);
            continue;
          }
          const next = takeHeader(rest);
          offset += rest.length - next.length;
          rest = next;
        }
        done(null, chunk);
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

function hasEnd(block: Buffer): boolean {
  for (let i = 0; i < block.length; i += 80) if (block.toString("latin1", i, i + 8) === "END     ") return true;
  return false;
}

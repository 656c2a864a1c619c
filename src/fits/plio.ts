/**
 * PLIO_1 decoding: IRAF's pixel-list "line list" encoding of masks, a port of CFITSIO's
 * `pl_l2pi`. A list is 16-bit words: a header, then instructions that emit runs of zeros, runs of
 * the current value, or single pixels, and that set or step the current value.
 *
 * @packageDocumentation
 */
import { FitsError } from "../errors.js";

/**
 * Decodes a line list into `count` pixels of `out` (pixels the list does not reach are 0).
 * Work is bounded by the list length plus the pixel count.
 * @throws FitsError (without location: the caller adds it) for a list whose header is damaged
 */
export function plioDecode(list: Int16Array, out: Int32Array, count: number): void {
  if (list.length < 3) throw new FitsError(`PLIO line list of ${list.length} words is too short`);
  let first: number;
  let length: number;
  if (list[2]! > 0) {
    // Old format: the length is the third word, instructions start at the fourth.
    length = list[2]!;
    first = 3;
  } else {
    if (list.length < 5) throw new FitsError(`PLIO line list of ${list.length} words is too short`);
    length = (list[4]! << 15) + list[3]!;
    first = list[1]!;
  }
  if (length > list.length || first < 0) throw new FitsError(`PLIO line list claims ${length} words, has ${list.length}`);
  out.fill(0, 0, count);
  let op = 0;
  let x1 = 1;
  let pv = 1;
  for (let ip = first; ip < length && x1 <= count; ip++) {
    const word = list[ip]!;
    // C integer division of a signed 16-bit word: negative words have no valid opcode.
    const opcode = Math.trunc(word / 4096);
    const data = word & 4095;
    switch (opcode) {
      case 0: // a run of zeros
      case 4: // a run of the current value
      case 5: {
        // a run of zeros ending in one pixel of the current value
        const x2 = x1 + data - 1;
        const i2 = Math.min(x2, count);
        const np = i2 - x1 + 1;
        if (np > 0) {
          if (opcode === 4) out.fill(pv, op, op + np);
          else if (opcode === 5 && i2 === x2) out[op + np - 1] = pv;
          op += np;
        }
        x1 = x2 + 1;
        break;
      }
      case 1: // set the value: 12 bits here, the high bits in the next word
        pv = ((list[ip + 1] ?? 0) << 12) + data;
        ip++;
        break;
      case 2:
        pv += data;
        break;
      case 3:
        pv -= data;
        break;
      case 6: // step the value and emit one pixel
      case 7:
        pv += opcode === 6 ? data : -data;
        if (x1 >= 1 && x1 <= count) out[op++] = pv;
        x1++;
        break;
      default:
        break;
    }
  }
}

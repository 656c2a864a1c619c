/**
 * Moving one column's bytes between row-interleaved table data and a contiguous column buffer.
 * This transpose is inherently per-row work; specialised loops for 1/2/4/8-byte fields keep it
 * cheap, and wide fields use native copies.
 *
 * @packageDocumentation
 */

/**
 * Copies `width` bytes at `column` of each of `rows` rows (stride `rowBytes`) in `table` into
 * `out` starting at `outOffset`, contiguously.
 */
export function gatherColumn(table: Uint8Array, rowBytes: number, column: number, width: number, rows: number, out: Uint8Array, outOffset: number): void {
  // Whole 32-bit words when everything lines up (the common case of 4- and 8-byte columns in rows
  // of whole words): a quarter of the loads and stores of the byte loops.
  if ((width & 3) === 0 && (rowBytes & 3) === 0 && (column & 3) === 0 && ((table.byteOffset | out.byteOffset | outOffset) & 3) === 0 && width > 0) {
    gatherWords(new Int32Array(table.buffer, table.byteOffset, table.length >>> 2), rowBytes >>> 2, column >>> 2, width >>> 2, rows, new Int32Array(out.buffer, out.byteOffset, out.length >>> 2), outOffset >>> 2);
    return;
  }
  let src = column;
  let dst = outOffset;
  switch (width) {
    case 0:
      return;
    case 1:
      for (let r = 0; r < rows; r++, src += rowBytes) out[dst++] = table[src]!;
      return;
    case 2:
      for (let r = 0; r < rows; r++, src += rowBytes, dst += 2) {
        out[dst] = table[src]!;
        out[dst + 1] = table[src + 1]!;
      }
      return;
    case 4:
      for (let r = 0; r < rows; r++, src += rowBytes, dst += 4) {
        out[dst] = table[src]!;
        out[dst + 1] = table[src + 1]!;
        out[dst + 2] = table[src + 2]!;
        out[dst + 3] = table[src + 3]!;
      }
      return;
    default:
      if (width >= 32) {
        for (let r = 0; r < rows; r++, src += rowBytes, dst += width) out.set(table.subarray(src, src + width), dst);
      } else {
        for (let r = 0; r < rows; r++, src += rowBytes) for (let k = 0; k < width; k++) out[dst++] = table[src + k]!;
      }
  }
}

function gatherWords(table: Int32Array, rowWords: number, column: number, width: number, rows: number, out: Int32Array, outOffset: number): void {
  let src = column;
  let dst = outOffset;
  if (width === 1) {
    for (let r = 0; r < rows; r++, src += rowWords) out[dst++] = table[src]!;
  } else if (width === 2) {
    for (let r = 0; r < rows; r++, src += rowWords, dst += 2) {
      out[dst] = table[src]!;
      out[dst + 1] = table[src + 1]!;
    }
  } else {
    for (let r = 0; r < rows; r++, src += rowWords) for (let k = 0; k < width; k++) out[dst++] = table[src + k]!;
  }
}

/** The inverse of {@link gatherColumn}: spreads a contiguous column buffer into its rows. */
export function scatterColumn(column: Uint8Array, table: Uint8Array, rowBytes: number, offset: number, width: number, rows: number): void {
  let src = 0;
  let dst = offset;
  switch (width) {
    case 0:
      return;
    case 1:
      for (let r = 0; r < rows; r++, dst += rowBytes) table[dst] = column[src++]!;
      return;
    case 2:
      for (let r = 0; r < rows; r++, dst += rowBytes, src += 2) {
        table[dst] = column[src]!;
        table[dst + 1] = column[src + 1]!;
      }
      return;
    case 4:
      for (let r = 0; r < rows; r++, dst += rowBytes, src += 4) {
        table[dst] = column[src]!;
        table[dst + 1] = column[src + 1]!;
        table[dst + 2] = column[src + 2]!;
        table[dst + 3] = column[src + 3]!;
      }
      return;
    default:
      if (width >= 32) {
        for (let r = 0; r < rows; r++, dst += rowBytes, src += width) table.set(column.subarray(src, src + width), dst);
      } else {
        for (let r = 0; r < rows; r++, dst += rowBytes) for (let k = 0; k < width; k++) table[dst + k] = column[src++]!;
      }
  }
}

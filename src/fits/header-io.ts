/**
 * Header blocks ⇄ {@link Header}: scanning 2880-byte blocks up to the END card, and writing cards
 * back as blocks padded with blanks.
 *
 * @packageDocumentation
 */
import { Header, type HeaderCard } from "../image/header.js";
import { FitsError } from "../errors.js";
import { readExactly, type ByteSource } from "./byte-source.js";
import { CARD_LENGTH, formatCard, parseCardImages } from "./card.js";
import { OnesComplementSum } from "./checksum.js";

/** The FITS logical record: headers and data are padded to multiples of it. */
export const BLOCK_SIZE = 2880;

/** A parsed header and where it sits in the file. */
export interface ParsedHeader {
  header: Header;
  /** Byte offset of each card's first image, parallel to `header.cards`. */
  cardOffsets: number[];
  /** Byte offset of the header's first block. */
  headerOffset: number;
  /** Byte offset just after the block holding END: where the data starts. */
  dataOffset: number;
  /** The ones' complement sum of the header blocks (for CHECKSUM), when they were read as bytes. */
  headerSum?: number;
}

const END_KEYWORD = "END     ";

/** Rounds a byte count up to whole blocks. */
export function padToBlock(size: number): number {
  return Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE;
}

/**
 * Reads the header starting at `start`: block by block (a few at a time, growing, so short headers
 * cost one small read and long ones few reads) until the END card. Never reads past the end of
 * the source, so a damaged file costs at most its own size.
 *
 * @param expectFirst - "SIMPLE" for the primary HDU, "XTENSION" for an extension; checked on the
 *   first card so that a file that is not FITS fails on its first 80 bytes
 * @throws FitsError (with `hdu` and `offset`) for a truncated header, a missing END, non-ASCII
 *   bytes, or a wrong first keyword
 */
export async function readHeader(source: ByteSource, start: number, hdu: number, expectFirst: "SIMPLE" | "XTENSION"): Promise<ParsedHeader> {
  const images: string[] = [];
  const offsets: number[] = [];
  let position = start;
  let blocksPerRead = 1;
  const sum = new OnesComplementSum();
  for (;;) {
    const blocksLeft = Math.floor((source.size - position) / BLOCK_SIZE);
    if (blocksLeft === 0) {
      const what = position === start ? "header block" : "END card";
      const tail = source.size - position;
      throw new FitsError(
        tail > 0
          ? `truncated ${what}: the file ends ${tail} bytes into a 2880-byte block`
          : `missing ${what}: the file ends before the header's END card`,
        hdu,
        position,
      );
    }
    const count = Math.min(blocksLeft, blocksPerRead);
    const bytes = await readExactly(source, position, count * BLOCK_SIZE, hdu);
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
    for (let i = 0; i < text.length; i += CARD_LENGTH) {
      // Card by card: a read of several blocks may run past END into binary data.
      checkAscii(bytes.subarray(i, i + CARD_LENGTH), hdu, position + i);
      const image = text.slice(i, i + CARD_LENGTH);
      if (images.length === 0 && !image.startsWith(expectFirst.padEnd(8))) {
        throw new FitsError(
          `expected the header to start with ${expectFirst}, found ${JSON.stringify(image.slice(0, 8))}`,
          hdu,
          position + i,
        );
      }
      if (image.startsWith(END_KEYWORD)) {
        const dataOffset = position + Math.ceil((i + CARD_LENGTH) / BLOCK_SIZE) * BLOCK_SIZE;
        sum.update(bytes.subarray(0, dataOffset - position));
        return { ...toHeader(images, offsets), headerOffset: start, dataOffset, headerSum: sum.value };
      }
      images.push(image);
      offsets.push(position + i);
    }
    sum.update(bytes);
    position += count * BLOCK_SIZE;
    blocksPerRead = Math.min(blocksPerRead * 4, 64);
  }
}

function toHeader(images: string[], offsets: number[]): { header: Header; cardOffsets: number[] } {
  const { cards, starts } = parseCardImages(images);
  return { header: new Header(cards), cardOffsets: starts.map((s) => offsets[s]!) };
}

/** A header may only hold printable ASCII (FITS 4.0 §4.1.1): report the first other byte. */
function checkAscii(bytes: Uint8Array, hdu: number, base: number): void {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e) {
      throw new FitsError(`byte 0x${b.toString(16).padStart(2, "0")} is not printable ASCII, which a FITS header requires`, hdu, base + i);
    }
  }
}

/**
 * Parses header bytes held in memory (whole blocks or just cards; END optional). For tests and
 * small in-memory headers.
 * @throws FitsError for non-ASCII bytes or a length that is not a multiple of 80
 */
export function parseHeaderBytes(bytes: Uint8Array, hdu = 0, baseOffset = 0): ParsedHeader {
  if (bytes.length % CARD_LENGTH !== 0) throw new FitsError(`header length ${bytes.length} is not a multiple of 80`, hdu, baseOffset);
  checkAscii(bytes, hdu, baseOffset);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
  const images: string[] = [];
  const offsets: number[] = [];
  let end = bytes.length;
  for (let i = 0; i < text.length; i += CARD_LENGTH) {
    const image = text.slice(i, i + CARD_LENGTH);
    if (image.startsWith(END_KEYWORD)) {
      end = i + CARD_LENGTH;
      break;
    }
    images.push(image);
    offsets.push(baseOffset + i);
  }
  return { ...toHeader(images, offsets), headerOffset: baseOffset, dataOffset: baseOffset + padToBlock(end) };
}

/**
 * Formats cards, then END, padded with blanks to whole blocks.
 * @throws FitsError when a card cannot be written (see {@link formatCard})
 */
export function formatHeader(cards: Iterable<HeaderCard>): Uint8Array {
  let text = "";
  for (const card of cards) text += formatCard(card);
  text += "END".padEnd(CARD_LENGTH);
  return Buffer.from(text.padEnd(padToBlock(text.length), " "), "latin1");
}

/**
 * `fitscutout` (Main `fitscutout.FitsCutoutStorlet`): a sub-image of a FITS image as a valid FITS
 * file, read where the data is. Parameters: `hdu` (index or EXTNAME; default the IMAGE HDU of an
 * exposure, else the first image), `x0`, `y0` (0-based column and row of the first pixel),
 * `width`, `height`. The output's primary HDU holds the pixels with the source HDU's header: the
 * WCS reference pixels moved (`CRPIXn` of every WCS but LSST's `A`, whose `CRVALnA` — the parent
 * origin — moves instead) and IRAF's `LTV1/LTV2` decreased by the offset, as astropy's
 * `Cutout2D`/`WCS.slice` do.
 *
 * Only the rows it needs are read: from the first pixel of the box to its last (one ranged read);
 * an uncompressed image is copied byte for byte (no conversion), a tile-compressed one decodes
 * the tiles the box touches and is written uncompressed.
 *
 * @packageDocumentation
 */
import type { FitsHdu } from "../../fits/index.js";
import { storageTypeOf } from "../../fits/bitpix.js";
import { formatHeader, padToBlock } from "../../fits/header-io.js";
import { imageHeader, isStructuralKeyword } from "../../fits/hdu-header.js";
import { writeImageData } from "../../fits/image-io.js";
import { SwapScratch } from "../../fits/swap-scratch.js";
import { Header, type HeaderCard } from "../../image/header.js";
import type { Storlet, StorletInputFile, StorletLogger, StorletOutputFile, StorletParams } from "../contract.js";
import { openImageInput } from "./hdu-choice.js";
import { InputByteSource, intParam } from "./input-byte-source.js";

/** Bytes of output gathered before a write (rows are copied in strips of about this size). */
const STRIP_BYTES = 1 << 20;

/** A box of pixels, 0-based. */
interface Box {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

/** Cuts a box out of a FITS image. */
export class FitsCutoutStorlet implements Storlet {
  readonly #logger: StorletLogger;

  /** @param logger - the storlet's log */
  constructor(logger: StorletLogger) {
    this.#logger = logger;
  }

  /** {@inheritDoc Storlet.invoke} */
  async invoke([input]: StorletInputFile[], [output]: StorletOutputFile[], params: StorletParams): Promise<void> {
    const { source, hdu } = await openImageInput(input!, params.hdu);
    const [ny, nx] = hdu.shape as [number, number];
    const box: Box = { x0: intParam(params, "x0", 0, 0), y0: intParam(params, "y0", 0, 0), width: intParam(params, "width", 1), height: intParam(params, "height", 1) };
    if (box.x0 + box.width > nx || box.y0 + box.height > ny) {
      throw new Error(`the box x ${box.x0}…${box.x0 + box.width - 1}, y ${box.y0}…${box.y0 + box.height - 1} is not inside HDU ${hdu.index} (${nx}×${ny})`);
    }
    output!.setMetadata({ "Content-Type": "application/fits", Cutout: `${hdu.index}:${box.x0},${box.y0},${box.width},${box.height}` });
    if (hdu.kind === "image") await copyRows(hdu, box, source, output!);
    else await decodeBox(hdu, box, output!);
    this.#logger.info(`cut ${box.width}×${box.height} at (${box.x0}, ${box.y0}) of HDU ${hdu.index}; read ${source.bytesRead} of ${source.size} bytes`);
    await input!.close();
    await output!.close();
  }
}

/** The header cards of the cutout after the structural ones: the source's, with the WCS moved. */
export function cutoutCards(header: Header, box: Box): HeaderCard[] {
  const out: HeaderCard[] = [];
  for (const card of header.cards) {
    if (isStructuralKeyword(card.keyword) || card.keyword === "BLANK") continue;
    const shifted = shift(card, box);
    out.push(shifted);
  }
  for (const [axis, offset] of [[1, box.x0], [2, box.y0]] as const) {
    if (!header.has(`LTV${axis}`)) out.push({ keyword: `LTV${axis}`, value: -offset, comment: "offset of the cutout (IRAF)" });
  }
  return out;
}

function shift(card: HeaderCard, box: Box): HeaderCard {
  const match = /^(CRPIX|LTV|CRVAL)([12])([A-Z]?)$/.exec(card.keyword);
  if (match === null || typeof card.value !== "number") return card;
  const [, kind, axis, alt] = match;
  const offset = axis === "1" ? box.x0 : box.y0;
  const { raw: _raw, ...rest } = card as HeaderCard & { raw?: unknown };
  if (kind === "CRPIX" && alt !== "A") return { ...rest, value: card.value - offset };
  if (kind === "CRVAL" && alt === "A") return { ...rest, value: card.value + offset };
  if (kind === "LTV" && alt === "") return { ...rest, value: card.value - offset };
  return card;
}

/** An uncompressed image: the box's rows copied as they are stored. */
async function copyRows(hdu: FitsHdu, box: Box, source: InputByteSource, output: StorletOutputFile): Promise<void> {
  const bitpix = Number(hdu.header.get("BITPIX"));
  const pixel = Math.abs(bitpix) / 8;
  const [, nx] = hdu.shape as [number, number];
  const cards: HeaderCard[] = [
    { keyword: "SIMPLE", value: true, comment: "conforms to FITS standard" },
    { keyword: "BITPIX", value: bitpix, comment: "array data type" },
    { keyword: "NAXIS", value: 2, comment: "number of array dimensions" },
    { keyword: "NAXIS1", value: box.width },
    { keyword: "NAXIS2", value: box.height },
  ];
  for (const keyword of ["BSCALE", "BZERO", ...(bitpix > 0 ? ["BLANK"] : [])]) {
    const card = hdu.header.card(keyword);
    if (card !== undefined) cards.push(card);
  }
  await output.write(formatHeader([...cards, ...cutoutCards(hdu.header, box)]));
  const rowBytes = box.width * pixel;
  const rowsPerStrip = Math.max(1, Math.floor(STRIP_BYTES / (nx * pixel)));
  for (let y = 0; y < box.height; y += rowsPerStrip) {
    const rows = Math.min(rowsPerStrip, box.height - y);
    // from the box's first pixel in the strip's first row to its last pixel in the last row
    const first = hdu.dataOffset + ((box.y0 + y) * nx + box.x0) * pixel;
    const span = ((rows - 1) * nx + box.width) * pixel;
    const bytes = await source.read(first, span);
    const strip = new Uint8Array(rows * rowBytes);
    for (let r = 0; r < rows; r++) strip.set(bytes.subarray(r * nx * pixel, r * nx * pixel + rowBytes), r * rowBytes);
    await output.write(strip);
  }
  const size = box.width * box.height * pixel;
  await output.write(new Uint8Array(padToBlock(size) - size));
}

/** A tile-compressed image: the tiles the box touches, decoded, written as an uncompressed image. */
async function decodeBox(hdu: FitsHdu, box: Box, output: StorletOutputFile): Promise<void> {
  const { data } = await hdu.readImage({ rows: [box.y0, box.y0 + box.height], cols: [box.x0, box.x0 + box.width] });
  const { bitpix, zero } = storageTypeOf(data);
  const header = imageHeader({ primary: true, bitpix, shape: [box.height, box.width], ...(zero === undefined ? {} : { zero }) }, new Header(cutoutCards(hdu.header, box)));
  await output.write(formatHeader(header.cards));
  const scratch = new SwapScratch(1 << 20);
  await writeImageData({ write: (bytes) => output.write(bytes) }, data, scratch);
  const size = data.length * (Math.abs(bitpix) / 8);
  await output.write(new Uint8Array(padToBlock(size) - size));
}

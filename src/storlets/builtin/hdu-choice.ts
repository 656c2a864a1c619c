/**
 * Which HDU a storlet works on: `hdu=N` (an index) or `hdu=NAME` (EXTNAME), else the first HDU
 * that suits it (for images, the science IMAGE of an exposure or the first with pixels).
 *
 * @packageDocumentation
 */
import { openFits, type FitsFile, type FitsHdu } from "../../fits/index.js";
import type { StorletInputFile } from "../contract.js";
import { InputByteSource } from "./input-byte-source.js";

/**
 * The HDU asked for, or the first that `suits`.
 * @throws Error when none is found, naming what the file holds
 */
export function chooseHdu(file: FitsFile, wanted: string | undefined, suits: (hdu: FitsHdu) => boolean, what: string): FitsHdu {
  let hdu: FitsHdu | undefined;
  if (wanted !== undefined && wanted !== "") {
    hdu = /^\d+$/.test(wanted) ? file.hdus[Number(wanted)] : file.hdus.find((h) => h.extname?.trim().toUpperCase() === wanted.trim().toUpperCase());
    if (hdu === undefined) throw new Error(`no HDU ${wanted} in this file (it has ${describe(file)})`);
    if (!suits(hdu)) throw new Error(`HDU ${wanted} is not ${what} (it is ${hdu.kind} ${JSON.stringify(hdu.shape)})`);
    return hdu;
  }
  hdu = file.hdus.find((h) => h.extname?.trim().toUpperCase() === "IMAGE" && suits(h)) ?? file.hdus.find(suits);
  if (hdu === undefined) throw new Error(`no HDU of this file is ${what} (it has ${describe(file)})`);
  return hdu;
}

function describe(file: FitsFile): string {
  return file.hdus.map((h) => `${h.index}${h.extname ? ` ${h.extname.trim()}` : ""} (${h.kind})`).join(", ");
}

/** An image HDU with two axes of pixels. */
export function isImage2d(hdu: FitsHdu): boolean {
  return (hdu.kind === "image" || hdu.kind === "compressed-image") && hdu.shape.length === 2 && hdu.shape[0]! > 0 && hdu.shape[1]! > 0;
}

/**
 * The 2-D image a storlet's input holds (`hdu=` or the first that suits), and the byte source it is
 * read through (which counts what was read). Checksums are not verified: only part is read.
 * @throws FitsError for an input that is not FITS; Error when no HDU is a 2-D image
 */
export async function openImageInput(input: StorletInputFile, wanted: string | undefined): Promise<{ source: InputByteSource; hdu: FitsHdu }> {
  const source = new InputByteSource(input);
  const file = await openFits(source, { checksum: "ignore" });
  return { source, hdu: chooseHdu(file, wanted, isImage2d, "a 2-D image") };
}

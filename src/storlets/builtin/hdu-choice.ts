/**
 * Which HDU a storlet works on: `hdu=N` (an index) or `hdu=NAME` (EXTNAME), else the first HDU
 * that suits it (for images, the science IMAGE of an exposure or the first with pixels).
 *
 * @packageDocumentation
 */
import type { FitsFile, FitsHdu } from "../../fits/index.js";

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

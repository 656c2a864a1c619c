/**
 * What the hostile-input and fuzzing sections do with a FITS file: read everything it claims to hold.
 *
 * @packageDocumentation
 */
import { openFits } from "../../src/fits/index.js";

/** Reads every header, image and table of a FITS file in memory. @throws FitsError and the like */
export async function readAll(bytes: Uint8Array): Promise<void> {
  const file = await openFits(bytes);
  try {
    for (const hdu of file.hdus) {
      if (hdu.kind === "bintable" || hdu.kind === "table") await hdu.readTable();
      else if (hdu.shape.length > 0) await hdu.readImage();
    }
  } finally {
    await file.close();
  }
}

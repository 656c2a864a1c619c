/**
 * The FITS codec: headers (every card type, CONTINUE, HIERARCH), images (every BITPIX, unsigned
 * conventions, scaling, sub-image reads) and binary tables, over any ranged {@link ByteSource}.
 *
 * ```ts
 * import { openFits, writeFits } from "skybutler/fits";
 * await writeFits("out.fits", [{ kind: "image", data: new Float32Array(64 * 32), shape: [32, 64] }]);
 * const file = await openFits("out.fits");
 * const { data } = await file.hdus[0].readImage({ rows: [0, 8] });
 * await file.close();
 * ```
 *
 * @packageDocumentation
 */
export { openFits, FitsFile } from "./fits-file.js";
export type { FitsHdu } from "./fits-hdu.js";
export { writeFits } from "./fits-writer.js";
export { isStructuralKeyword } from "./hdu-header.js";
export type { HduInput, ImageHduInput, BinTableHduInput } from "./hdu-input.js";
export type { HduKind } from "./hdu-layout.js";
export type { ImageData, ImageRegion, IndexRange } from "./image-io.js";
export type { TableData, TableColumn } from "./bintable-read.js";
export { FileByteSource, MemoryByteSource, type ByteSource } from "./byte-source.js";
export { formatCard, parseCardImages } from "./card.js";
export { formatHeader, parseHeaderBytes, BLOCK_SIZE, type ParsedHeader } from "./header-io.js";
export type { Bitpix } from "./bitpix.js";

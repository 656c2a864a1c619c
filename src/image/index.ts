/**
 * In-memory astronomical objects: images, masks, masked images, exposures, catalogs and headers.
 * @packageDocumentation
 */
export { Header, isCommentary, type HeaderCard, type HeaderValue, type Complex } from "./header.js";
export { Image, type PixelArray, type PixelArrayConstructor } from "./image.js";
export { Mask, DEFAULT_MASK_PLANES } from "./mask.js";
export { MaskedImage, Exposure } from "./masked-image.js";
export { Catalog, type Column, type ColumnInfo } from "./catalog.js";

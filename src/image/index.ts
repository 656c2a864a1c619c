/**
 * In-memory astronomical objects: images, masks, masked images, exposures, catalogs and headers.
 * @packageDocumentation
 */
export { Header, isCommentary, type HeaderCard, type HeaderValue, type Complex } from "./header.js";
export { Image, type PixelArray, type PixelArrayConstructor } from "./image.js";
export { Mask, DEFAULT_MASK_PLANES } from "./mask.js";
export { MaskedImage, Exposure } from "./masked-image.js";
export { Catalog, type Column, type ColumnInfo } from "./catalog.js";
export { makeBox2I, isBox2I, boxProblem, boxMaxX, boxMaxY, type Box2I } from "./box.js";
export { wcsFromHeaders, type Wcs } from "./wcs.js";
export { visitInfoFromHeaders, type VisitInfo } from "./visit-info.js";
export { schemaFromHeader, type CatalogSchema, type SchemaColumn, type ColumnElementType } from "./catalog-schema.js";

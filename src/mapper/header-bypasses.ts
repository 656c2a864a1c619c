/**
 * Variant values computed from FITS headers alone (`_bbox`, `_wcs`, `_visitInfo`, `_filter`,
 * `_len`, `_schema`) and `_filename`: each a {@link Bypass}, so the Butler runs it instead of a
 * formatter once it has found the base dataset's file. Headers are read by ranged reads; no pixel
 * or table data is read.
 *
 * @packageDocumentation
 */
import type { FitsFile, FitsHdu } from "../fits/index.js";
import { planeExtent, scienceHdu } from "../formatters/exposure-hdus.js";
import { withRangedFits } from "../formatters/ranged-fits.js";
import { FormatterError } from "../errors.js";
import { makeBox2I } from "../image/box.js";
import { schemaFromHeader } from "../image/catalog-schema.js";
import { visitInfoFromHeaders } from "../image/visit-info.js";
import { wcsFromHeaders } from "../image/wcs.js";
import type { Bypass, BypassContext } from "./butler-location.js";

function withHeaders<T>(ctx: BypassContext, fn: (file: FitsFile) => T): Promise<T> {
  return withRangedFits(ctx.storage, ctx.key, async (file) => fn(file));
}

/** The primary header and, when the pixels are in an extension, that extension's header. */
function imageHeaders(file: FitsFile): FitsHdu["header"][] {
  const science = scienceHdu(file);
  return science.index === 0 ? [science.header] : [file.hdus[0]!.header, science.header];
}

function tableHdu(file: FitsFile, ctx: BypassContext): FitsHdu {
  const hdu = file.hdus.find((h) => h.kind === "bintable");
  if (hdu === undefined) throw new FormatterError(`${ctx.storage.uriOf(ctx.key)} holds no binary table`);
  return hdu;
}

/** `_filename`: the dataset's URI, in a list as Gen2 returned its paths. */
export const filenameBypass: Bypass = (ctx) => [ctx.storage.uriOf(ctx.key)];

/** `_bbox`: the science image's {@link Box2I} in the parent frame (size from NAXISn, corner from LTVn). */
export const bboxBypass: Bypass = (ctx) =>
  withHeaders(ctx, (file) => {
    const { x0, y0, width, height } = planeExtent(scienceHdu(file));
    return makeBox2I(x0, y0, width, height);
  });

/** `_wcs`: the linear WCS of the headers ({@link Wcs}), or null when they have none. */
export const wcsBypass: Bypass = (ctx) => withHeaders(ctx, (file) => wcsFromHeaders(imageHeaders(file)) ?? null);

/** `_visitInfo`: exposure time, date … from the headers ({@link VisitInfo}). */
export const visitInfoBypass: Bypass = (ctx) => withHeaders(ctx, (file) => visitInfoFromHeaders(imageHeaders(file)));

/** `_filter`: the `FILTER` card, else the data id's `filter`, else null. */
export const filterBypass: Bypass = (ctx) =>
  withHeaders(ctx, (file) => {
    for (const header of imageHeaders(file)) {
      const value = header.get("FILTER");
      if (typeof value === "string" && value.trim() !== "") return value.trim();
    }
    return ctx.location.dataId.filter ?? null;
  });

/** `_len`: the number of rows of the catalog's table (`NAXIS2`). */
export const lenBypass: Bypass = (ctx) =>
  withHeaders(ctx, (file) => {
    const rows = tableHdu(file, ctx).header.get("NAXIS2");
    return typeof rows === "number" ? rows : 0;
  });

/** `_schema`: the catalog's columns ({@link CatalogSchema}). */
export const schemaBypass: Bypass = (ctx) => withHeaders(ctx, (file) => schemaFromHeader(tableHdu(file, ctx).header));

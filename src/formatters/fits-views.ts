/**
 * The header-only views of FITS datasets (`_bbox`, `_wcs`, `_visitInfo`, `_filter` of an image;
 * `_len`, `_schema` of a catalog): values computed from the headers alone, so a read touches no
 * pixel or table data.
 *
 * @packageDocumentation
 */
import { FormatterError } from "../errors.js";
import type { FitsFile, FitsHdu } from "../fits/index.js";
import { makeBox2I } from "../image/box.js";
import { schemaFromHeader } from "../image/catalog-schema.js";
import { visitInfoFromHeaders } from "../image/visit-info.js";
import { wcsFromHeaders } from "../image/wcs.js";
import type { ButlerLocation } from "../mapper/butler-location.js";
import { planeExtent, scienceHdu } from "./exposure-hdus.js";

/** The primary header and, when the pixels are in an extension, that extension's header. */
function imageHeaders(file: FitsFile): FitsHdu["header"][] {
  const science = scienceHdu(file);
  return science.index === 0 ? [science.header] : [file.hdus[0]!.header, science.header];
}

/** An image's header-only view: `bbox`, `wcs`, `visitInfo` or `filter`. @throws FormatterError for another view */
export function imageHeaderView(file: FitsFile, location: ButlerLocation): unknown {
  switch (location.view) {
    case "bbox": {
      // the science image's box in the parent frame: size from NAXISn, corner from LTVn
      const { x0, y0, width, height } = planeExtent(scienceHdu(file));
      return makeBox2I(x0, y0, width, height);
    }
    case "wcs":
      return wcsFromHeaders(imageHeaders(file)) ?? null;
    case "visitInfo":
      return visitInfoFromHeaders(imageHeaders(file));
    case "filter": {
      for (const header of imageHeaders(file)) {
        const value = header.get("FILTER");
        if (typeof value === "string" && value.trim() !== "") return value.trim();
      }
      return location.dataId.filter ?? null;
    }
    default:
      throw new FormatterError(`FitsStorage has no "${String(location.view)}" view (dataset type "${location.datasetType}")`);
  }
}

/** A catalog's header-only view of its table HDU: `len` (rows) or `schema`. @throws FormatterError for another view */
export function tableHeaderView(table: FitsHdu, location: ButlerLocation): unknown {
  switch (location.view) {
    case "len": {
      const rows = table.header.get("NAXIS2");
      return typeof rows === "number" ? rows : 0;
    }
    case "schema":
      return schemaFromHeader(table.header);
    default:
      throw new FormatterError(`FitsCatalogStorage has no "${String(location.view)}" view (dataset type "${location.datasetType}")`);
  }
}

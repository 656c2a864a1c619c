/**
 * FitsStorage (Exposure, MaskedImage, Image) and FitsCatalogStorage (Catalog). Both go through a
 * local FITS file: on write a pending file the storage commits atomically (PosixStorage: a temp
 * file beside the destination; a remote storage: a temp file it uploads), on read a refcounted
 * local file (PosixStorage: the file itself; a remote storage: a shared download).
 *
 * @packageDocumentation
 */
import { FitsError, FormatterError } from "../errors.js";
import { Image, type PixelArray } from "../image/image.js";
import { MaskedImage, Exposure } from "../image/masked-image.js";
import { Catalog } from "../image/catalog.js";
import { Header } from "../image/header.js";
import { writeFits, type FitsFile, type FitsHdu, type HduInput } from "../fits/index.js";
import type { Formatter, FormatterContext } from "./formatter.js";
import { imageToHdus, maskedImageToHdus, readExposure, readExposureMetadata, readFullMetadata, readImage, userMetadata } from "./exposure-hdus.js";
import { checkFitsFile, fitsMediaType } from "./fits-check.js";
import { FITS_COMPRESSED_SUFFIXES, withFits } from "./fits-source.js";
import { imageHeaderView, tableHeaderView } from "./fits-views.js";
import { subImageRequestOf } from "./sub-image.js";

/** Writes HDUs to a pending local file and commits it; any failure aborts (nothing published). */
async function writeHdus(ctx: FormatterContext, hdus: HduInput[]): Promise<void> {
  await using pending = await ctx.storage.createLocalFile(ctx.key, { suffix: ".fits" });
  // the bytes go past the storage's observer as they are written: checksums need no read-back
  await writeFits(pending.path, hdus, pending.observe === undefined ? {} : { onData: pending.observe });
  await pending.commit();
}

/**
 * Views are read-only: writing one would replace the whole file with a header or a cut-out.
 */
function refuseVariantWrite(ctx: FormatterContext): void {
  if (ctx.location.view !== undefined) {
    throw new FormatterError(
      `"${ctx.location.datasetType}" is a read-only view (a header or a sub-image) of a dataset; put the whole dataset instead`,
    );
  }
}

function typeName(obj: unknown): string {
  return obj !== null && typeof obj === "object" ? (obj.constructor?.name ?? "object") : typeof obj;
}

/**
 * The keys of a FITS dataset: the file itself, then its gzip (`.gz`) and fpack (`.fz`) copies. */
function fitsCandidates(key: string): string[] {
  return [key, ...FITS_COMPRESSED_SUFFIXES.map((suffix) => `${key}${suffix}`)];
}

/**
 * FitsStorage: Exposure, MaskedImage and Image. What comes back is chosen by the policy's `python`
 * type. The read-only views read only part of the file (by ranged reads where the storage has
 * them): `header` (`<type>_md`) returns the whole header, as Gen2's `readMetadata` did
 * (structural keywords included; see `readFullMetadata`); `sub` (`<type>_sub`,
 * `llcX`, `llcY`, `width`, `height`, `imageOrigin` in `additionalData`) reads only those rows and
 * columns of each plane; `bbox`, `wcs`, `visitInfo` and `filter` read headers only.
 */
export const fitsFormatter: Formatter = {
  storageName: "FitsStorage",
  readCandidates: fitsCandidates,

  async read(ctx) {
    const { view, pythonType: wanted } = ctx.location;
    if (view === "header") return withFits(ctx, "part", async (file) => readFullMetadata(file));
    if (view !== undefined && view !== "sub") return withFits(ctx, "part", async (file) => imageHeaderView(file, ctx.location));
    const sub = view === "sub" ? subImageRequestOf(ctx.location.additionalData) : undefined;
    return withFits(ctx, sub === undefined ? "whole" : "part", async (file): Promise<unknown> => {
      if (/MaskedImage/.test(wanted)) return (await readExposure(file, sub)).maskedImage;
      if (/Image/.test(wanted) && !/Exposure/.test(wanted)) return readImage(file, sub);
      return readExposure(file, sub);
    });
  },

  async write(obj, ctx) {
    refuseVariantWrite(ctx);
    let hdus: HduInput[];
    if (obj instanceof Exposure) hdus = maskedImageToHdus(obj.maskedImage, obj.metadata);
    else if (obj instanceof MaskedImage) hdus = maskedImageToHdus(obj);
    else if (obj instanceof Image) hdus = imageToHdus(obj as Image<PixelArray>);
    else {
      throw new FormatterError(
        `FitsStorage writes an Exposure, MaskedImage or Image; dataset type "${ctx.location.datasetType}" got ${typeName(obj)}`,
      );
    }
    await writeHdus(ctx, hdus);
  },

  /** FITS with an image somewhere (the primary HDU, an extension, a tile-compressed one). */
  check: (path, datasetType) => checkFitsFile(path, datasetType, readExposureMetadata),
  mediaType: fitsMediaType,
};

/**
 * FitsCatalogStorage: a Catalog as a binary table in HDU 1 (after an empty primary HDU). The views
 * read only the table's header (HDU `additionalData.hdu`, default the first table): `header`
 * (`<type>_md`) returns that whole header (column keywords included), `len` the number of rows,
 * `schema` the columns.
 */
export const fitsCatalogFormatter: Formatter = {
  storageName: "FitsCatalogStorage",
  readCandidates: fitsCandidates,

  async read(ctx) {
    const view = ctx.location.view;
    if (view === "header") return withFits(ctx, "part", async (file) => tableHdu(file, ctx).header.clone());
    if (view !== undefined) return withFits(ctx, "part", async (file) => tableHeaderView(tableHdu(file, ctx), ctx.location));
    return withFits(ctx, "whole", async (file) => {
      const hdu = tableHdu(file, ctx);
      const table = await hdu.readTable();
      const catalog = new Catalog({}, tableMetadata(hdu));
      for (const [name, values] of Object.entries(table.columns)) {
        const unit = table.units[name];
        catalog.addColumn(name, values, unit ? { unit } : undefined);
      }
      return catalog;
    });
  },

  async write(obj, ctx) {
    refuseVariantWrite(ctx);
    if (!(obj instanceof Catalog)) {
      throw new FormatterError(
        `FitsCatalogStorage writes a Catalog; dataset type "${ctx.location.datasetType}" got ${typeName(obj)}`,
      );
    }
    const units: Record<string, string> = {};
    for (const [name, info] of obj.info) if (info.unit) units[name] = info.unit;
    await writeHdus(ctx, [
      { kind: "image", header: new Header() },
      { kind: "bintable", header: obj.metadata, columns: obj.toObject(), units },
    ]);
  },

  /** FITS with a binary table. */
  check: (path, datasetType) =>
    checkFitsFile(path, datasetType, (file) => {
      const hdu = file.hdus.find((h) => h.kind === "bintable");
      if (hdu === undefined) throw new FitsError("it holds no binary table to read as a Catalog");
      return tableMetadata(hdu);
    }),
  mediaType: fitsMediaType,
};

/** The table HDU: `additionalData.hdu` when given (`_md`), else the first binary table. */
function tableHdu(file: FitsFile, ctx: FormatterContext): FitsHdu {
  const wanted = ctx.location.additionalData.hdu;
  const hdu = typeof wanted === "number" ? file.hdus[wanted] : file.hdus.find((h) => h.kind === "bintable");
  if (hdu === undefined || hdu.kind !== "bintable") {
    const which = typeof wanted === "number" ? `HDU ${wanted} is no binary table` : "no binary table";
    throw new FormatterError(`${ctx.storage.uriOf(ctx.key)} holds ${which} to read as a Catalog`);
  }
  return hdu;
}

/** A table's user metadata: what a Catalog read keeps in `metadata`. */
function tableMetadata(hdu: FitsHdu): Header {
  return userMetadata(hdu.header, (k) => k === "EXTNAME");
}

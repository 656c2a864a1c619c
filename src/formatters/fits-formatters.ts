/**
 * FitsStorage (Exposure, MaskedImage, Image) and FitsCatalogStorage (Catalog). Both go through a
 * local FITS file: on write a pending file the storage commits atomically (PosixStorage: a temp
 * file beside the destination; a remote storage: a temp file it uploads), on read a refcounted
 * local file (PosixStorage: the file itself; a remote storage: a shared download).
 *
 * @packageDocumentation
 */
import { FormatterError } from "../errors.js";
import { Image, type PixelArray } from "../image/image.js";
import { MaskedImage, Exposure } from "../image/masked-image.js";
import { Catalog } from "../image/catalog.js";
import { Header } from "../image/header.js";
import { openFits, writeFits, type FitsFile, type HduInput } from "../fits/index.js";
import type { Formatter, FormatterContext } from "./formatter.js";
import { imageToHdus, maskedImageToHdus, readExposure, readImage, userMetadata } from "./exposure-hdus.js";

/** Opens the object's local FITS file, runs `fn`, and releases everything even when `fn` throws. */
async function withFitsFile<T>(ctx: FormatterContext, fn: (file: FitsFile) => Promise<T>): Promise<T> {
  const local = await ctx.storage.getLocalFile(ctx.key);
  try {
    const file = await openFits(local.path);
    try {
      return await fn(file);
    } finally {
      await file.close();
    }
  } finally {
    await local.release();
  }
}

/** Writes HDUs to a pending local file and commits it; any failure aborts (nothing published). */
async function writeHdus(ctx: FormatterContext, hdus: HduInput[]): Promise<void> {
  await using pending = await ctx.storage.createLocalFile(ctx.key, { suffix: ".fits" });
  await writeFits(pending.path, hdus);
  await pending.commit();
}

function typeName(obj: unknown): string {
  return obj !== null && typeof obj === "object" ? (obj.constructor?.name ?? "object") : typeof obj;
}

/** FitsStorage: Exposure, MaskedImage and Image. What comes back is chosen by the policy's `python` type. */
export const fitsFormatter: Formatter = {
  storageName: "FitsStorage",

  async read(ctx) {
    const wanted = ctx.location.pythonType;
    return withFitsFile(ctx, async (file) => {
      if (/MaskedImage/.test(wanted)) return (await readExposure(file)).maskedImage;
      if (/Image/.test(wanted) && !/Exposure/.test(wanted)) return readImage(file);
      return readExposure(file);
    });
  },

  async write(obj, ctx) {
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
};

/** FitsCatalogStorage: a Catalog as a binary table in HDU 1 (after an empty primary HDU). */
export const fitsCatalogFormatter: Formatter = {
  storageName: "FitsCatalogStorage",

  async read(ctx) {
    return withFitsFile(ctx, async (file) => {
      const hdu = file.hdus.find((h) => h.kind === "bintable");
      if (hdu === undefined) {
        throw new FormatterError(`${ctx.storage.uriOf(ctx.key)} holds no binary table to read as a Catalog`);
      }
      const table = await hdu.readTable();
      const catalog = new Catalog({}, userMetadata(hdu.header, (k) => k === "EXTNAME"));
      for (const [name, values] of Object.entries(table.columns)) {
        const unit = table.units[name];
        catalog.addColumn(name, values, unit ? { unit } : undefined);
      }
      return catalog;
    });
  },

  async write(obj, ctx) {
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
};

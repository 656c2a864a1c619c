/**
 * FitsStorage (Exposure, MaskedImage, Image) and FitsCatalogStorage (Catalog). Both go through a
 * local FITS file: on write a pending file the storage commits atomically (PosixStorage: a temp
 * file beside the destination; a remote storage: a temp file it uploads), on read a refcounted
 * local file (PosixStorage: the file itself; a remote storage: a shared download).
 *
 * @packageDocumentation
 */
import { open, readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { FitsError, FormatterError } from "../errors.js";
import { Image, type PixelArray } from "../image/image.js";
import { MaskedImage, Exposure } from "../image/masked-image.js";
import { Catalog } from "../image/catalog.js";
import { Header } from "../image/header.js";
import { openFits, writeFits, type FitsFile, type FitsHdu, type HduInput } from "../fits/index.js";
import type { Formatter, FormatterContext } from "./formatter.js";
import { imageToHdus, maskedImageToHdus, readExposure, readExposureMetadata, readImage, userMetadata } from "./exposure-hdus.js";
import { withRangedFits } from "./ranged-fits.js";
import { subImageRequestOf } from "./sub-image.js";

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** Opens a local FITS file, or a gzip-compressed one (`raw.fits.gz`) decompressed into memory. */
async function openLocalFits(path: string): Promise<FitsFile> {
  const head = Buffer.alloc(2);
  const handle = await open(path, "r");
  try {
    await handle.read(head, 0, 2, 0);
  } finally {
    await handle.close();
  }
  if (!head.equals(GZIP_MAGIC)) return openFits(path);
  try {
    return await openFits(await gunzipAsync(await readFile(path)));
  } catch (err) {
    if (err instanceof FitsError) throw err;
    throw new FitsError(`cannot decompress gzip FITS file ${path}: ${(err as Error).message}`, undefined, undefined, { cause: err });
  }
}

/** Opens the object's local FITS file, runs `fn`, and releases everything even when `fn` throws. */
async function withFitsFile<T>(ctx: FormatterContext, fn: (file: FitsFile) => Promise<T>): Promise<T> {
  const local = await ctx.storage.getLocalFile(ctx.key);
  try {
    const file = await openLocalFits(local.path);
    try {
      return await fn(file);
    } finally {
      await file.close();
    }
  } finally {
    await local.release();
  }
}

const gunzipAsync = promisify(gunzip);

/** Writes HDUs to a pending local file and commits it; any failure aborts (nothing published). */
async function writeHdus(ctx: FormatterContext, hdus: HduInput[]): Promise<void> {
  await using pending = await ctx.storage.createLocalFile(ctx.key, { suffix: ".fits" });
  // the bytes go past the storage's observer as they are written: checksums need no read-back
  await writeFits(pending.path, hdus, pending.observe === undefined ? {} : { onData: pending.observe });
  await pending.commit();
}

/**
 * `_md` and `_sub` locations are read-only views of a dataset: writing one would replace the whole
 * file with a header or a cut-out.
 */
function refuseVariantWrite(ctx: FormatterContext): void {
  if (ctx.location.pythonType === "Header" || ctx.location.additionalData.llcX !== undefined) {
    throw new FormatterError(
      `"${ctx.location.datasetType}" is a read-only view (a header or a sub-image) of a dataset; put the whole dataset instead`,
    );
  }
}

function typeName(obj: unknown): string {
  return obj !== null && typeof obj === "object" ? (obj.constructor?.name ?? "object") : typeof obj;
}

/**
 * FitsStorage: Exposure, MaskedImage and Image. What comes back is chosen by the policy's `python`
 * type. Two read-only views read only part of the file, by ranged reads: python type `Header`
 * (`<type>_md`) reads the headers and returns the metadata a full read would give; a sub-image
 * request in `additionalData` (`<type>_sub`: `llcX`, `llcY`, `width`, `height`, `imageOrigin`)
 * reads only those rows and columns of each plane.
 */
export const fitsFormatter: Formatter = {
  storageName: "FitsStorage",

  async read(ctx) {
    const wanted = ctx.location.pythonType;
    if (wanted === "Header") return withRangedFits(ctx.storage, ctx.key, async (file) => readExposureMetadata(file));
    const sub = subImageRequestOf(ctx.location.additionalData);
    const read = async (file: FitsFile): Promise<unknown> => {
      if (/MaskedImage/.test(wanted)) return (await readExposure(file, sub)).maskedImage;
      if (/Image/.test(wanted) && !/Exposure/.test(wanted)) return readImage(file, sub);
      return readExposure(file, sub);
    };
    return sub === undefined ? withFitsFile(ctx, read) : withRangedFits(ctx.storage, ctx.key, read);
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
};

/**
 * FitsCatalogStorage: a Catalog as a binary table in HDU 1 (after an empty primary HDU). Python
 * type `Header` (`<type>_md`) reads only the table's header (HDU `additionalData.hdu`, default
 * the first table) and returns the metadata a full read would give.
 */
export const fitsCatalogFormatter: Formatter = {
  storageName: "FitsCatalogStorage",

  async read(ctx) {
    if (ctx.location.pythonType === "Header") {
      return withRangedFits(ctx.storage, ctx.key, async (file) => tableMetadata(tableHdu(file, ctx)));
    }
    return withFitsFile(ctx, async (file) => {
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

/**
 * How a FITS read gets at the bytes of an object, decided in one place for every FITS read:
 *
 * - a gzip-compressed copy (`….fits.gz`) is decompressed as a stream into a temp file (memory stays
 *   flat), which is then read like any local file — whole or in part;
 * - a read of part of the file (headers, a few rows) on a storage with cheap ranges reads by range
 *   (on Swift: HTTP Range requests, no download), every range of one read from one version of the
 *   object (see {@link StorageByteSource});
 * - anything else opens the storage's local file (PosixStorage: the file itself; a remote
 *   storage: a shared download).
 *
 * An fpack-compressed copy (`.fz`) needs nothing special: it is a FITS file with tile-compressed
 * HDUs, which the codec reads, by range too.
 *
 * @packageDocumentation
 */
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { FitsError } from "../errors.js";
import { fitsSizeGuard, openFits, type FitsFile } from "../fits/index.js";
import type { LocalFile } from "../temp/index.js";
import type { FormatterContext } from "./formatter.js";
import { StorageByteSource } from "./storage-byte-source.js";

/** The suffixes of the compressed copies a FITS dataset may be stored as, in the order tried. */
export const FITS_COMPRESSED_SUFFIXES = [".gz", ".fz"] as const;

/** How much of the file a read needs. */
export type FitsReadScope = "whole" | "part";

/**
 * Opens the FITS object at `ctx.key`, runs `fn`, and releases everything (file, temp copy) even
 * when `fn` throws.
 * @throws NotFoundError; FitsError for a damaged file or a gzip stream that does not decompress
 */
export async function withFits<T>(ctx: FormatterContext, scope: FitsReadScope, fn: (file: FitsFile) => Promise<T>): Promise<T> {
  if (ctx.key.endsWith(".gz")) {
    const local = await gunzipToTemp(ctx);
    try {
      return await withOpen(await openFits(local.path), fn);
    } finally {
      await local.release();
    }
  }
  if (scope === "part" && ctx.storage.capabilities.rangedRead) {
    // one version of the object for every range of this read (the source pins it)
    const source = await StorageByteSource.open(ctx.storage, ctx.key);
    let file: FitsFile;
    try {
      file = await openFits(source);
    } catch (err) {
      await source.close();
      throw err;
    }
    return withOpen(file, fn);
  }
  const local = await ctx.storage.getLocalFile(ctx.key);
  try {
    return await withOpen(await openFits(local.path), fn);
  } finally {
    await local.release();
  }
}

async function withOpen<T>(file: FitsFile, fn: (file: FitsFile) => Promise<T>): Promise<T> {
  try {
    return await fn(file);
  } finally {
    await file.close();
  }
}

/**
 * Streams the object through gunzip into a temp file of the read's scope. A few megabytes of gzip
 * can inflate to gigabytes: the size guard stops the stream as soon as it holds more bytes than its
 * FITS headers declare, or is no FITS at all, so a bomb costs no more disk than the file it claims to be.
 */
async function gunzipToTemp(ctx: FormatterContext): Promise<LocalFile> {
  const source = await ctx.storage.readStream(ctx.key);
  const local = await ctx.temp.createFile({ prefix: "gunzip", suffix: ".fits" });
  try {
    await pipeline(source, createGunzip(), fitsSizeGuard({ what: ctx.storage.uriOf(ctx.key) }), createWriteStream(local.path));
    return local;
  } catch (err) {
    await local.release();
    if (err instanceof FitsError || (err as { code?: string }).code?.startsWith("E_")) throw err;
    throw new FitsError(`cannot decompress the gzip FITS file ${ctx.storage.uriOf(ctx.key)}: ${(err as Error).message}`, undefined, undefined, { cause: err });
  }
}

/**
 * The check a FITS formatter makes of a local file before its bytes are stored as a dataset (a put
 * of stored bytes, an ingest): it must parse as FITS — every header to END, every HDU's data within
 * the file — and hold what a read of the type needs. Only headers are read, whatever the size.
 *
 * @packageDocumentation
 */
import { FitsError } from "../errors.js";
import { openFits, type FitsFile } from "../fits/index.js";
import type { Header } from "../image/header.js";
import type { FileMetadata } from "./formatter.js";

/**
 * Opens `path` as FITS, runs `inspect` on it, closes it.
 * @throws FitsError naming the dataset type when the file is not FITS or `inspect` finds it lacking
 */
export async function checkFitsFile(path: string, datasetType: string, inspect: (file: FitsFile) => Header): Promise<FileMetadata> {
  let file: FitsFile;
  try {
    file = await openFits(path);
  } catch (err) {
    throw notFits(err, datasetType);
  }
  try {
    return metadataRecord(inspect(file));
  } catch (err) {
    throw notFits(err, datasetType);
  } finally {
    await file.close();
  }
}

function notFits(err: unknown, datasetType: string): unknown {
  if (!(err instanceof FitsError)) return err;
  return new FitsError(`"${datasetType}" is stored as FITS and this file is not a usable one: ${err.message}`, undefined, undefined, { cause: err });
}

/** The scalar cards of a header, first occurrence winning (registry columns are read from them). */
export function metadataRecord(header: Header): FileMetadata {
  const out: Record<string, string | number | boolean> = {};
  for (const [keyword, value] of Object.entries(header.toObject())) {
    if (typeof value === "string") out[keyword] = value.trimEnd();
    else if (typeof value === "number" || typeof value === "boolean") out[keyword] = value;
    else if (typeof value === "bigint") out[keyword] = value.toString();
  }
  return out;
}

/** A gzip copy is served as what it is; the plain file and fpack's `.fz` are FITS. */
export function fitsMediaType(key: string): string {
  return key.endsWith(".gz") ? "application/gzip" : "application/fits";
}

/**
 * Inputs named by the command line: a local file, or an object of any storage by its URI
 * (`swift://c/raw/v1.fits`, `skybutler+http://host/repo/raw/v1.fits`, `file:///…`), its user
 * metadata included where the storage keeps it.
 *
 * @packageDocumentation
 */
import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import { NotFoundError, UsageError } from "../errors.js";
import { storageFromUri, type Storage } from "../storage/index.js";
import { fileInput, storageInput, type StorletInput } from "./storlet-input.js";
import { titleCased } from "./storlet-metadata.js";
import { resolveStorletRange, type StorletRangeSpec } from "./storlet-range.js";

/** An opened input and what to close after the run. */
export interface OpenedInput {
  input: StorletInput;
  close(): Promise<void>;
}

/** Whether a command-line input names a URI (a scheme) rather than a local path. */
export function isUri(text: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text);
}

/**
 * Opens a local path or an object URI as a storlet input, optionally a range of it.
 * @throws UsageError for an unsatisfiable range; NotFoundError for a missing object or file;
 *   the storage's errors (auth, connection)
 */
export async function openObjectInput(where: string, range?: StorletRangeSpec): Promise<OpenedInput> {
  if (!isUri(where)) {
    const size = await fileSize(where);
    return { input: await fileInput(where, {}, rangeOf(range, size, where)), close: async () => undefined };
  }
  const cut = where.replace(/\/+$/, "").lastIndexOf("/");
  const root = where.slice(0, cut);
  const key = decodeURIComponent(where.slice(cut + 1));
  if (cut < 0 || key === "" || /^[a-zA-Z][a-zA-Z0-9+.-]*:\/?\/?$/.test(root)) throw new UsageError(`"${where}" names no object: give the URI of an object, e.g. swift://container/raw/v1.fits`);
  const storage: Storage = await storageFromUri(root);
  try {
    const info = await storage.stat(key);
    const metadata = storage.capabilities.metadata && storage.getMetadata !== undefined ? titleCased(await storage.getMetadata(key)) : {};
    return { input: storageInput(storage, key, info.size, metadata, rangeOf(range, info.size, where)), close: () => storage.close() };
  } catch (err) {
    await storage.close();
    throw err;
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new NotFoundError(path, dirname(path));
    throw err;
  }
}

function rangeOf(range: StorletRangeSpec | undefined, size: number, where: string): { offset: number; length: number } | undefined {
  if (range === undefined) return undefined;
  const resolved = resolveStorletRange(range, size);
  if (resolved === "unsatisfiable") throw new UsageError(`the range does not overlap ${where} (${size} bytes)`);
  return { offset: resolved.offset, length: resolved.length ?? size - resolved.offset };
}

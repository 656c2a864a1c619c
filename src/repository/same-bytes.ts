/**
 * Whether an object already holds the bytes of a local file: an ingest run again finds its files
 * stored and must tell "the same file" (nothing to do) from "a different one" (refused).
 *
 * @packageDocumentation
 */
import { md5File } from "../storage/md5.js";
import type { Storage } from "../storage/storage.js";

/**
 * Same size and same MD5 — from an MD5 ETag (Swift) when the storage gives one, else from the
 * object's local file (the file itself on POSIX, a download elsewhere).
 * @throws NotFoundError when the object went away; the local read's error
 */
export async function sameBytes(storage: Storage, key: string, localPath: string, localSize: number): Promise<boolean> {
  const info = await storage.stat(key);
  if (info.size !== localSize) return false;
  const local = (await md5File(localPath)).segments[0];
  const etag = info.etag?.replace(/^"(.*)"$/, "$1").toLowerCase();
  if (etag !== undefined && /^[0-9a-f]{32}$/.test(etag)) return etag === local;
  const file = await storage.getLocalFile(key);
  try {
    return (await md5File(file.path)).segments[0] === local;
  } finally {
    await file.release();
  }
}

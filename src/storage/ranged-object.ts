/**
 * Pinning a read to one version of an object by its validator: the {@link RangedObject} of every
 * backend that cannot hold a version open (Swift, S3, HTTP, wrappers), and the check each backend
 * makes of {@link ByteRange.ifMatch}.
 *
 * @packageDocumentation
 */
import { ChangedError, ClosedError } from "../errors.js";
import { checkRange } from "./byte-range.js";
import type { ObjectInfo, RangedObject, Storage } from "./storage.js";

/**
 * A {@link RangedObject} whose every range is a `storage.read` with `ifMatch` set to the validator
 * of the `stat` made when it was opened: a replacement after that makes the next read fail with
 * ChangedError instead of returning bytes of the new version. A backend without validators
 * (no `etag`) cannot pin: its ranges are read unconditionally.
 * @throws NotFoundError, InvalidKeyError, ClosedError (from the stat)
 */
export async function etagPinnedObject(storage: Storage, key: string): Promise<RangedObject> {
  const info = await storage.stat(key);
  const pin = info.etag === undefined ? {} : { ifMatch: info.etag };
  let closed = false;
  return {
    size: info.size,
    ...(info.etag === undefined ? {} : { etag: info.etag }),
    async read(offset: number, length: number): Promise<Buffer> {
      if (closed) throw new ClosedError(`ranged read of ${storage.uriOf(key)}`);
      checkRange({ offset, length });
      if (length === 0 || offset >= info.size) return Buffer.alloc(0);
      return storage.read(key, { offset, length: Math.min(length, info.size - offset), ...pin });
    },
    async close(): Promise<void> {
      closed = true;
    },
  };
}

/**
 * Raises ChangedError when a read pinned to `ifMatch` found another version (`info`) at the key.
 * @param where - the storage URI, for the message
 * @throws ChangedError
 */
export function requireVersion(ifMatch: string | undefined, info: Pick<ObjectInfo, "etag">, key: string, where: string): void {
  if (ifMatch !== undefined && info.etag !== ifMatch) throw changedError(key, where);
}

/** The error for an object replaced (or deleted) while a pinned read was under way. */
export function changedError(key: string, where: string, cause?: unknown): ChangedError {
  return new ChangedError(`"${key}" in ${where} was replaced while it was being read; read it again`, cause === undefined ? {} : { cause });
}

/**
 * PosixStorage's {@link RangedObject}: the file is opened once and every range is a positional read
 * of that descriptor. An atomic replace renames a new inode over the path; the open descriptor keeps
 * the old one, so all ranges of one read come from one version without any check or error.
 *
 * @packageDocumentation
 */
import { ClosedError } from "../../errors.js";
import { clampRange } from "../byte-range.js";
import type { RangedObject } from "../storage.js";
import { translateFsError } from "./errno.js";
import { openRegularFile, validatorOf } from "./file-reads.js";

/**
 * Opens the file at `path` for ranged reads of the version there now.
 * @throws NotFoundError (also for a directory), PermissionDeniedError
 */
export async function openFileRanged(path: string, key: string, uri: string): Promise<RangedObject> {
  const handle = await openRegularFile(path, key, uri);
  let info;
  try {
    info = await handle.stat({ bigint: true });
  } catch (err) {
    await handle.close();
    throw translateFsError(err, key, uri, "read");
  }
  const size = Number(info.size);
  let closing: Promise<void> | undefined;
  return {
    size,
    etag: validatorOf(info),
    async read(offset: number, length: number): Promise<Buffer> {
      if (closing !== undefined) throw new ClosedError(`ranged read of ${uri}/${key}`);
      const range = clampRange({ offset, length }, size);
      const buffer = Buffer.allocUnsafe(range.length);
      let filled = 0;
      try {
        while (filled < range.length) {
          const { bytesRead } = await handle.read(buffer, filled, range.length - filled, range.start + filled);
          if (bytesRead === 0) break; // truncated in place (never by skybutler's writes)
          filled += bytesRead;
        }
      } catch (err) {
        throw translateFsError(err, key, uri, "read");
      }
      return buffer.subarray(0, filled);
    },
    close(): Promise<void> {
      closing ??= handle.close();
      return closing;
    },
  };
}

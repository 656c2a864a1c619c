/**
 * Deleting an object of {@link PosixStorage}: the file, then the directories it leaves empty, so
 * a repository does not accumulate empty directories (an object store has none).
 *
 * @packageDocumentation
 */
import { stat, unlink } from "node:fs/promises";
import { basename, join } from "node:path";
import { NotFoundError } from "../../errors.js";
import { translateFsError } from "./errno.js";
import { pruneEmptyDirs, resolveParentForWrite, type RootPaths } from "./root-path.js";

/**
 * Deletes the regular file at a normalized key. The parent is resolved as for a write, so a
 * symbolic link cannot make the delete act outside the root.
 * @throws NotFoundError (also for a directory), PermissionDeniedError
 */
export async function deleteFileAt(root: RootPaths, key: string, uri: string): Promise<void> {
  const dir = await resolveParentForWrite(root, key, false);
  const path = join(dir, basename(key));
  try {
    // unlink would also remove a symlink to a directory: that is not an object either
    if (!(await stat(path)).isFile()) throw new NotFoundError(key, uri);
    await unlink(path);
  } catch (err) {
    throw translateFsError(err, key, uri, "read");
  }
  await pruneEmptyDirs(root, dir);
}

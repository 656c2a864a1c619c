/**
 * The records file of a local repository must be a plain file of the repository: a symbolic link
 * in its place (or in place of its `-wal`, `-shm` or `-journal` companions, which sqlite writes
 * beside it) would make every put write outside the repository root, wherever the link points.
 *
 * @packageDocumentation
 */
import { lstat } from "node:fs/promises";
import { ConfigError } from "../../errors.js";

/** The files sqlite writes for a database at `path`. */
const COMPANIONS = ["", "-wal", "-shm", "-journal"];

/**
 * Refuses a records database reached through a symbolic link. The root itself may be a link (the
 * whole repository is then where it points, as the user chose); a link *inside* it may not.
 * Checked before the database is opened and again after (so a link swapped in meanwhile is caught
 * before any put writes through it).
 * @throws ConfigError naming the link
 */
export async function refuseLinkedRecordsFile(path: string): Promise<void> {
  for (const suffix of COMPANIONS) {
    const file = path + suffix;
    let linked = false;
    try {
      linked = (await lstat(file)).isSymbolicLink();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    if (linked) {
      throw new ConfigError(
        `the dataset records ${file} are a symbolic link; skybutler writes them only inside the repository, never through a link ` +
          `(replace the link by the file itself, or remove it and run \`skybutler fsck --repair\` to record the datasets again)`,
      );
    }
  }
}

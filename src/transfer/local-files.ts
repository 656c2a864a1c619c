/**
 * The files below a local directory, in pfstorage's (`os.walk`) order — a directory's own files
 * first, then its subdirectories — sorted by name within each, yielded lazily.
 *
 * @packageDocumentation
 */
import { readdir, realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { InvalidKeyError, NotFoundError } from "../errors.js";

/** A regular file found by {@link walkFiles}. */
export interface LocalFileEntry {
  /** Absolute path. */
  path: string;
  /** Path relative to the walked directory, `/`-separated. */
  relative: string;
  size: number;
}

/** Options of {@link walkFiles}. */
export interface WalkOptions {
  /**
   * Refuse files whose real path (links resolved) is not below this directory's real path: a
   * server walking its data root must not be led out of it by a symbolic link.
   */
  confineTo?: string;
}

/**
 * Every regular file below `dir`. Links to files are followed; links to directories are not (no
 * cycles). With `confineTo`, a file that resolves outside it raises InvalidKeyError.
 * @throws NotFoundError when `dir` is missing or not a directory; InvalidKeyError as above
 */
export async function* walkFiles(dir: string, options: WalkOptions = {}): AsyncGenerator<LocalFileEntry> {
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    throw new NotFoundError(dir, "the local filesystem", { cause: err });
  }
  if (!info.isDirectory()) throw new NotFoundError(dir, "the local filesystem (a directory is needed)");
  const fence = options.confineTo === undefined ? undefined : await realpath(options.confineTo);
  yield* walk(dir, "", fence);
}

async function* walk(dir: string, relative: string, fence: string | undefined): AsyncGenerator<LocalFileEntry> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const subdirs: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const rel = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      subdirs.push(entry.name);
      continue;
    }
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue; // dangling link, or a link to a directory
    if (fence !== undefined) {
      const real = await realpath(path);
      if (real !== fence && !real.startsWith(fence + sep)) throw new InvalidKeyError(rel, "it is a link that leads out of the data root");
    }
    yield { path, relative: rel, size: info.size };
  }
  for (const name of subdirs) yield* walk(join(dir, name), relative === "" ? name : `${relative}/${name}`, fence);
}

/**
 * Listing a directory tree as object-store keys: ascending UTF-8 byte order, prefixes that need not
 * be whole path segments, optional roll-up into `dir/` entries, no temp files, no empty directories.
 *
 * @packageDocumentation
 */
import { readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { isErrno, translateFsError } from "./errno.js";
import { isTempName } from "./temp-name.js";

interface Entry {
  name: string;
  dir: boolean;
  /** `name` plus `/` for directories, as UTF-8: what orders it among the keys of its siblings. */
  order: Buffer;
}

/**
 * Every key below `prefix` (or one level of it with `shallow`), in ascending byte order.
 *
 * Ordering siblings by `name + "/"` for directories and `name` for files, then descending depth
 * first, yields the global byte order of the full keys: every key below `a/` sorts exactly where
 * `a/` sorts among the siblings (`a.b`, then `a/…`, then `a0`).
 *
 * Symbolic links are followed, as reads follow them; a link back to a directory being walked is
 * skipped so a cycle cannot loop.
 * @param rootPath - the storage root
 * @param prefix - a normalised prefix (see `normalizePrefix`)
 * @param where - the root URI, for error messages
 * @throws PermissionDeniedError when a directory cannot be read
 */
export async function* walkKeys(rootPath: string, prefix: string, shallow: boolean, where: string): AsyncGenerator<string> {
  const slash = prefix.lastIndexOf("/");
  const dirKey = prefix.slice(0, slash + 1); // "" or ends in "/"
  const rest = prefix.slice(slash + 1);
  let real: string;
  try {
    real = await realpath(join(rootPath, dirKey));
  } catch (err) {
    if (isErrno(err, "ENOENT", "ENOTDIR")) return;
    throw translateFsError(err, prefix, where, "read");
  }
  yield* walkDir(real, dirKey, rest, shallow, [real], where);
}

async function* walkDir(
  dir: string,
  keyPrefix: string,
  namePrefix: string,
  shallow: boolean,
  ancestors: string[],
  where: string,
): AsyncGenerator<string> {
  for (const entry of await entriesOf(dir, namePrefix, keyPrefix, where)) {
    const key = keyPrefix + entry.name;
    if (!entry.dir) {
      yield key;
      continue;
    }
    const child = await enter(join(dir, entry.name), ancestors);
    if (child === undefined) continue;
    if (shallow) {
      if (await holdsObject(child, [...ancestors, child], key, where)) yield key + "/";
    } else {
      yield* walkDir(child, key + "/", "", false, [...ancestors, child], where);
    }
  }
}

/** Whether a directory holds at least one object at any depth (an object store has no empty "dirs"). */
async function holdsObject(dir: string, ancestors: string[], key: string, where: string): Promise<boolean> {
  const entries = await entriesOf(dir, "", key + "/", where);
  if (entries.some((e) => !e.dir)) return true;
  for (const entry of entries) {
    const child = await enter(join(dir, entry.name), ancestors);
    if (child !== undefined && (await holdsObject(child, [...ancestors, child], `${key}/${entry.name}`, where))) return true;
  }
  return false;
}

/** The real path of a directory to descend into, or undefined when it would close a cycle. */
async function enter(path: string, ancestors: string[]): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return undefined; // removed meanwhile
  }
  // a link to an ancestor (or to a directory above one) would walk the same tree again
  if (ancestors.some((a) => a === real || a.startsWith(real + "/"))) return undefined;
  return real;
}

/** The listable entries of a directory whose names start with `namePrefix`, in key order. */
async function entriesOf(dir: string, namePrefix: string, keyPrefix: string, where: string): Promise<Entry[]> {
  let dirents;
  try {
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isErrno(err, "ENOENT", "ENOTDIR")) return []; // removed meanwhile
    throw translateFsError(err, keyPrefix, where, "read");
  }
  const entries: Entry[] = [];
  for (const d of dirents) {
    if (!d.name.startsWith(namePrefix) || isTempName(d.name)) continue;
    let isDir = d.isDirectory();
    let isFile = d.isFile();
    if (d.isSymbolicLink()) {
      try {
        const s = await stat(join(dir, d.name));
        isDir = s.isDirectory();
        isFile = s.isFile();
      } catch {
        continue; // a dangling link holds no object
      }
    }
    if (!isDir && !isFile) continue; // sockets, FIFOs, devices are not objects
    entries.push({ name: d.name, dir: isDir, order: Buffer.from(isDir ? d.name + "/" : d.name) });
  }
  return entries.sort((a, b) => Buffer.compare(a.order, b.order));
}

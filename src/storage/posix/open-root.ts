/**
 * Opening a PosixStorage root: from a `file:` URI or a plain path to checked {@link RootPaths}.
 *
 * @packageDocumentation
 */
import { mkdir, realpath, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ConfigError, NotFoundError } from "../../errors.js";
import { isErrno, translateFsError } from "./errno.js";
import type { RootPaths } from "./root-path.js";

/**
 * Finds (or with `create` makes) the root directory of a `file:` URI or a plain path.
 * @throws NotFoundError when the root does not exist and `create` is false; the message says to pass `create: true`
 * @throws ConfigError when the URI is not a local `file:` URI, or the root or a parent of it is a file
 * @throws PermissionDeniedError when the root cannot be reached
 */
export async function openRoot(uri: string, create: boolean): Promise<RootPaths> {
  const path = rootPathOf(uri);
  const rootUri = fileUriOf(path);
  try {
    const info = await stat(path).catch(async (err: unknown) => {
      if (!isErrno(err, "ENOENT") || !create) throw err;
      await mkdir(path, { recursive: true });
      return stat(path);
    });
    if (!info.isDirectory()) throw new ConfigError(`storage root ${path} is not a directory; a file: root must name a directory`);
    return { path, real: await realpath(path), uri: rootUri };
  } catch (err) {
    if (isErrno(err, "ENOENT")) throw rootNotFound(path, rootUri, err);
    if (isErrno(err, "ENOTDIR", "EEXIST")) {
      throw new ConfigError(`storage root ${path} cannot be used: part of its path is a file, not a directory`, { cause: err });
    }
    throw translateFsError(err, "", rootUri, "read");
  }
}

/** The absolute root path of a `file:` URI or a plain path. @throws ConfigError */
function rootPathOf(uri: string): string {
  if (!/^file:/i.test(uri)) return resolve(uri);
  let url: URL;
  try {
    url = new URL(uri);
  } catch (err) {
    throw new ConfigError(`"${uri}" is not a valid file: URI`, { cause: err });
  }
  if (url.search !== "" || url.hash !== "") throw new ConfigError(`file: URI "${uri}" must not have a query or fragment`);
  try {
    return resolve(fileURLToPath(url));
  } catch (err) {
    throw new ConfigError(`"${uri}" is not a local file: URI (only file:///path or file://localhost/path)`, { cause: err });
  }
}

/** `file:///abs/path` (percent-encoded like `pathToFileURL`) with no trailing slash. */
export function fileUriOf(path: string): string {
  const href = pathToFileURL(path).href;
  return href === "file:///" ? href : href.replace(/\/+$/, "");
}

/** NotFoundError for a missing root, saying how to create one. */
function rootNotFound(path: string, uri: string, cause: unknown): NotFoundError {
  const error = new NotFoundError("", uri, { cause });
  error.message =
    `storage root ${path} does not exist; check the path of an input repository,` +
    ` or pass { create: true } to create it for an output repository`;
  return error;
}

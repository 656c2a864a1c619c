/**
 * Where pfstorage's actions run: on the command line (local paths relative to the working
 * directory, the user's own) or in a server (local paths confined to `--data-root`, every action
 * authorised by the caller's token).
 *
 * @packageDocumentation
 */
import { isAbsolute, join, resolve } from "node:path";
import { errorFromCode } from "../error-from-code.js";
import { InvalidKeyError } from "../errors.js";
import { PosixStorage } from "../storage/posix/posix-storage.js";
import type { Storage } from "../storage/index.js";
import { normalizeKey } from "../storage/keys.js";
import { pathForm } from "./location-map.js";

/** What an action needs from where it runs. */
export interface PfContext {
  /** `cli` or `server`: the server never reports its own paths. */
  readonly mode: "cli" | "server";
  /** The storage to act on (a server may pick it by `meta.repo`). */
  storage(meta: Readonly<Record<string, unknown>>): Promise<Storage>;
  /** Local files: the working directory (CLI), the data root (server), or none (objPut/objPull refused). */
  readonly local: LocalArea | undefined;
  /** Refuses the action unless the caller may do it (`read`, `write`, `admin`). */
  authorize(scope: "read" | "write" | "admin", what: string): void;
  /** Transfers in flight at once. */
  readonly jobs: number;
}

/**
 * The local directory tree an action may read and write. Unconfined (the CLI): any path, relative
 * to `root`. Confined (a server's data root): only relative paths that stay below `root`, and no
 * write through a link that leads out (PosixStorage's own rule).
 */
export class LocalArea {
  /** @param root - absolute directory; @param confined - whether paths must stay below it */
  constructor(
    readonly root: string,
    readonly confined: boolean,
  ) {}

  /**
   * The absolute directory a message names.
   * @throws InvalidKeyError in a confined area for an absolute path or one that leaves the root
   */
  directory(path: string): string {
    if (!this.confined) return resolve(this.root, path);
    const rel = this.#relative(path);
    return rel === "" ? this.root : join(this.root, rel);
  }

  /**
   * A storage over local files to write into, and the key prefix below it for `path`: unconfined,
   * a PosixStorage rooted at the directory itself (created); confined, one rooted at the area's
   * root, so that every component of every key is checked against links leading out.
   * @throws InvalidKeyError as {@link LocalArea.directory}
   */
  async writer(path: string): Promise<{ storage: Storage; base: string }> {
    if (!this.confined) return { storage: await PosixStorage.open(resolve(this.root, path), { create: true }), base: "" };
    const base = this.#relative(path);
    return { storage: await PosixStorage.open(this.root, { create: true }), base };
  }

  #relative(path: string): string {
    if (isAbsolute(path)) throw new InvalidKeyError(path, "paths on the server are relative to its data root");
    const form = pathForm(path);
    return form === "" ? "" : normalizeKey(form);
  }
}

/** The error for objPut/objPull on a server started without `--data-root`. */
export function noDataRoot(action: string): Error {
  return errorFromCode("E_PERMISSION_DENIED", `${action} reads or writes server files, and this server has no --data-root`);
}

/**
 * Temp files grouped by owner, so that closing a Butler (or a Storage) deletes everything it
 * created even when a caller forgot a release.
 *
 * @packageDocumentation
 */
import { open } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { tempRoot, onProcessExit } from "./temp-root.js";
import { RefCountedFile, type LocalFile } from "./local-file.js";
import { ClosedError } from "../errors.js";

/** Options for a new temp file. */
export interface TempFileOptions {
  /** File name suffix, e.g. `.fits`, so tools that sniff extensions still work. */
  suffix?: string;
  /** File name prefix (default `tmp`). */
  prefix?: string;
  /** Called once when the file is deleted (its count reached zero, or the scope closed). */
  onDelete?: () => void;
}

/**
 * An owner of temp files. Each file is deleted when its last lease is released, when the scope is
 * closed, or at process exit — whichever comes first.
 *
 * ```ts
 * const scope = new TempScope();
 * const file = await scope.createFile({ suffix: ".fits" });
 * await writeFits(file.path, hdus);
 * await file.release();     // deleted here
 * await scope.close();      // or here, for anything still held
 * ```
 */
export class TempScope {
  readonly #live = new Set<RefCountedFile>();
  #closed = false;
  readonly #unregister: () => void;

  constructor() {
    this.#unregister = onProcessExit(() => this.#discardAll());
  }

  /** Number of temp files of this scope that still exist. */
  get liveCount(): number {
    return this.#live.size;
  }

  /**
   * Creates an empty temp file (mode 0600) and returns the first lease on it.
   * @throws ClosedError after {@link TempScope.close}
   */
  async createFile(options: TempFileOptions = {}): Promise<LocalFile> {
    return (await this.createShared(options)).acquire();
  }

  /**
   * Creates an empty temp file with no lease yet: for caches that hand out leases later (e.g. one
   * download shared by concurrent readers). It is deleted when the count returns to zero.
   * @throws ClosedError after {@link TempScope.close}
   */
  async createShared(options: TempFileOptions = {}): Promise<RefCountedFile> {
    if (this.#closed) throw new ClosedError("temp file scope");
    const name = `${options.prefix ?? "tmp"}-${randomBytes(8).toString("hex")}${options.suffix ?? ""}`;
    const path = join(tempRoot(), name);
    // "wx": never reuse an existing name; 0600: temp files may hold private data
    const handle = await open(path, "wx", 0o600);
    await handle.close();
    const file = new RefCountedFile(path, {
      deleteOnZero: true,
      onZero: (f) => {
        this.#live.delete(f);
        options.onDelete?.();
      },
    });
    this.#live.add(file);
    return file;
  }

  /** Deletes every temp file of this scope, held or not; later leases' releases are no-ops. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#discardAll();
    this.#unregister();
  }

  #discardAll(): void {
    for (const file of [...this.#live]) file.discard();
    this.#live.clear();
  }
}

/** The scope used by code that is not given one; closed only at process exit. */
export const defaultTempScope = new TempScope();

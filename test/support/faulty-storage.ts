/**
 * A fault injector in front of a real PosixStorage, registered as the `faulty:` scheme. It behaves
 * like a remote backend — local files are temp-file downloads and uploads through
 * {@link TempLocalFiles} — and fails a configurable fraction of operations, sometimes after the
 * inner operation already happened (as a dropped connection would), sometimes half-way through a
 * download. Used to prove that no temp file survives failures. Which operations fail is drawn
 * from a seeded generator ({@link seedFaults}), so a failing run can be replayed with its seed.
 */
import { writeFile } from "node:fs/promises";
import {
  StorageError,
  TempScope,
  registerStorage,
  registeredSchemes,
  storageFromUri,
  type ByteRange,
  type LocalFile,
  type PendingLocalFile,
  type Storage,
  type StorageOptions,
  type StorageCapabilities,
  type WriteOptions,
} from "../../src/testing/index.js";
import { TempLocalFiles } from "../../src/storage/temp-local-files.js";
import { StorageDecorator } from "../../src/storage/storage-decorator.js";
import { mulberry32 } from "./seeded-random.js";

/** Fraction of operations that fail (0 … 1) and how many did; tests set `rate` and {@link seedFaults}. */
export const faults = { rate: 0, injected: 0, random: mulberry32(0) };

/** Restarts the fault draws from `seed` (see test/support/seeded-random.ts) and zeroes the count. */
export function seedFaults(seed: number): void {
  faults.random = mulberry32(seed);
  faults.injected = 0;
}

function maybeFail(what: string): void {
  if (faults.random() < faults.rate) {
    faults.injected++;
    throw new StorageError(`injected fault in ${what}`, { code: "E_CONNECTION" });
  }
}

class FaultyStorage extends StorageDecorator {
  /** Behaves like a remote backend: local files are downloads, never the objects themselves. */
  override get capabilities(): StorageCapabilities {
    return { ...this.inner.capabilities, localPath: false };
  }

  readonly #files: TempLocalFiles;
  readonly #ownScope: TempScope | undefined;
  readonly #uri: string;

  constructor(uri: string, inner: Storage, scope: TempScope | undefined) {
    super(inner);
    this.#uri = uri;
    this.#ownScope = scope === undefined ? new TempScope() : undefined;
    this.#files = new TempLocalFiles(scope ?? this.#ownScope!, {
      download: async (key, path) => {
        maybeFail("download start");
        const bytes = await inner.read(key);
        if (faults.random() < faults.rate) {
          faults.injected++;
          await writeFile(path, bytes.subarray(0, bytes.length >> 1)); // half a file, then the connection drops
          throw new StorageError("injected fault mid-download", { code: "E_CONNECTION" });
        }
        await writeFile(path, bytes);
      },
      upload: async (path, key, options) => {
        maybeFail("upload start");
        await inner.putLocalFile(path, key, options);
        maybeFail("upload end"); // the object landed but the caller sees an error
      },
    });
  }

  override get scheme(): string {
    return "faulty";
  }
  override get uri(): string {
    return this.#uri;
  }
  override uriOf(key: string): string {
    return this.inner.uriOf(key).replace(/^file:/, "faulty:");
  }
  override async read(key: string, range?: ByteRange): Promise<Buffer> {
    maybeFail("read");
    return this.inner.read(key, range);
  }
  override async write(key: string, data: Uint8Array | string, options?: WriteOptions): Promise<void> {
    maybeFail("write");
    return this.inner.write(key, data, options);
  }
  override getLocalFile(key: string): Promise<LocalFile> {
    return this.#files.get(key);
  }
  override createLocalFile(key: string, options?: WriteOptions & { suffix?: string }): Promise<PendingLocalFile> {
    return this.#files.create(key, options);
  }
  override async close(): Promise<void> {
    await this.#ownScope?.close();
    await this.inner.close();
  }
}

/** Registers the `faulty:` scheme once. */
export function registerFaultyStorage(): void {
  if (registeredSchemes().includes("faulty")) return;
  registerStorage("faulty", async () => async (uri: string, options: StorageOptions) => {
    const inner = await storageFromUri(uri.replace(/^faulty:/, "file:"), { ...options, tempScope: undefined });
    return new FaultyStorage(uri.replace(/\/+$/, ""), inner, options.tempScope);
  });
}

/**
 * What a repository does with a dataset on get — locate, then bypass or formatter, then the
 * mapper's standardize — through the repository's own dataset I/O, so mapper tests can read
 * variants end to end without a Butler or a repository configuration.
 */
import type { Mapper } from "../../src/mapper/mapper.js";
import type { Storage } from "../../src/storage/storage.js";
import { DatasetIo } from "../../src/repository/dataset-io.js";
import { defaultTempScope } from "../../src/temp/index.js";
import { DatasetNotFoundError } from "../../src/errors.js";

/** Locates, reads (bypass or formatter) and standardizes, as a repository's read does. @throws DatasetNotFoundError when nothing is stored or computable */
export async function readThrough(mapper: Mapper, storage: Storage, datasetType: string, dataId: Readonly<Record<string, unknown>>): Promise<unknown> {
  const io = new DatasetIo({ storage, mapper, records: undefined, temp: defaultTempScope, noteWritten: () => undefined });
  const handle = await io.locate(datasetType, dataId);
  if (handle === undefined) throw new DatasetNotFoundError(datasetType, dataId, [storage.uri]);
  return io.read(handle);
}

/** Bytes a storage reads through `read` and whole-file `getLocalFile` calls, counted by a wrapper. */
export interface ReadCounts {
  rangedBytes: number;
  localFiles: number;
}

/**
 * Wraps a storage so its reads are counted; methods are bound to the real storage (it keeps
 * `#private` state a Proxy receiver could not reach).
 */
export function countingStorage(storage: Storage): { storage: Storage; counts: ReadCounts } {
  const counts: ReadCounts = { rangedBytes: 0, localFiles: 0 };
  const wrapped = new Proxy(storage, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === "read") {
        return async (...args: Parameters<Storage["read"]>) => {
          const bytes = await target.read(...args);
          counts.rangedBytes += bytes.length;
          return bytes;
        };
      }
      if (prop === "openRanged") {
        // a ranged read of one version: every range it reads is counted
        return async (...args: Parameters<Storage["openRanged"]>) => {
          const object = await target.openRanged(...args);
          return {
            size: object.size,
            ...(object.etag === undefined ? {} : { etag: object.etag }),
            read: async (offset: number, length: number) => {
              const bytes = await object.read(offset, length);
              counts.rangedBytes += bytes.length;
              return bytes;
            },
            close: () => object.close(),
          };
        };
      }
      if (prop === "getLocalFile") {
        return async (key: string) => {
          counts.localFiles++;
          return target.getLocalFile(key);
        };
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { storage: wrapped, counts };
}

/** The process's `rchar` (bytes read by read syscalls, /proc/self/io), or undefined off Linux. */
export async function processReadBytes(): Promise<number | undefined> {
  const { readFile } = await import("node:fs/promises");
  try {
    const text = await readFile("/proc/self/io", "utf8");
    const match = /^rchar:\s*(\d+)/m.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

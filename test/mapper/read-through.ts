/**
 * What the Butler does with a location on get, in a few lines, so mapper tests can read variants
 * end to end without depending on the Butler: bypass or formatter, then the mapper's standardize.
 */
import type { CameraMapper } from "../../src/mapper/camera-mapper.js";
import type { Storage } from "../../src/storage/storage.js";
import { formatterFor } from "../../src/formatters/index.js";

/** Maps, reads (bypass or formatter) and standardizes, as the Butler's get does. */
export async function readThrough(mapper: CameraMapper, storage: Storage, datasetType: string, dataId: Readonly<Record<string, unknown>>): Promise<unknown> {
  const location = mapper.map(datasetType, dataId);
  const key = location.locations[0]!;
  const item = location.bypass !== undefined
    ? await location.bypass({ location, storage, key })
    : await formatterFor(location.storageName).read({ storage, key, location });
  return mapper.standardize(location.datasetType, item, location.dataId);
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

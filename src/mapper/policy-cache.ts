/**
 * Camera policies loaded once per process: every mapper of a camera shares the parsed file.
 * @packageDocumentation
 */
import { loadPolicy, type MapperPolicy } from "./policy.js";

const loaded = new Map<string, Promise<MapperPolicy>>();

/**
 * The policy at a path or URL, read and validated on first use, then shared. A failed load is
 * forgotten, so a fixed file can be retried.
 * @throws PolicyError when the file cannot be read or is invalid
 */
export function loadPolicyOnce(path: string | URL): Promise<MapperPolicy> {
  const key = String(path);
  let promise = loaded.get(key);
  if (promise === undefined) {
    promise = loadPolicy(path).catch((err: unknown) => {
      loaded.delete(key);
      throw err;
    });
    loaded.set(key, promise);
  }
  return promise;
}

/**
 * A dataset read through a storlet (`butler.get(type, id, { storlet: { name, params } })`): run
 * where the data is when the storage can (a Swift behind skybutler's gateway, a skybutler server:
 * only the output travels), else locally in the same sandbox with the same rules — the result is
 * the same either way. The Butler never learns which: the storage's capability decides.
 *
 * @packageDocumentation
 */
import type { Storage } from "../storage/storage.js";
import { builtinName, BUILTIN_STORLETS } from "../storlets/builtin-storlets.js";
import { localStorletCode } from "../storlets/local-code.js";
import { storageInput } from "../storlets/storlet-input.js";
import { titleCased } from "../storlets/storlet-metadata.js";
import { StorletRunner } from "../storlets/storlet-runner.js";

/** Which storlet, with what parameters. */
export interface StorletSpec {
  /** A shipped storlet (`fitscutout`, `thumbnail` …), or the object name of a deployed one (`half.js`). */
  name: string;
  /** Parameters (numbers are sent as their decimal text). */
  params?: Readonly<Record<string, string | number>>;
}

/** What a storlet made of a dataset. */
export interface StorletResult {
  /** Its output (a FITS cutout, a PNG, JSON …). */
  data: Buffer;
  /** Its metadata, keys lower-case (`content-type` among them when it set one). */
  metadata: Record<string, string>;
  /** Where it ran: `storage` (next to the data) or `local`. */
  ranAt: "storage" | "local";
}

let runner: StorletRunner | undefined;

/**
 * Runs a storlet on an object.
 * @throws StorletError when the storlet fails; UsageError for a storlet that is neither shipped nor
 *   deployed where the data is; the storage's errors
 */
export async function readThroughStorlet(storage: Storage, key: string, spec: StorletSpec): Promise<StorletResult> {
  const params = Object.fromEntries(Object.entries(spec.params ?? {}).map(([k, v]) => [k, String(v)]));
  const shipped = builtinName(spec.name);
  const objectName = shipped === undefined ? spec.name : BUILTIN_STORLETS[shipped]!.file;
  const remote = await storage.invokeStorlet?.(key, { storlet: objectName, params });
  if (remote !== undefined) {
    const data = Buffer.concat(await remote.body.toArray());
    return { data, metadata: lower(remote.metadata), ranAt: "storage" };
  }
  const code = await localStorletCode(shipped ?? spec.name);
  const info = await storage.stat(key);
  const metadata = storage.capabilities.metadata && storage.getMetadata !== undefined ? titleCased(await storage.getMetadata(key)) : {};
  runner ??= new StorletRunner();
  const output = await runner.run({ code, inputs: [storageInput(storage, key, info.size, metadata)], params });
  const data = Buffer.concat(await output.body.toArray());
  return { data, metadata: lower(output.metadata), ranAt: "local" };
}

function lower(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
}

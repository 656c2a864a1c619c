/**
 * Objects into a local directory, streamed (memory stays flat), each file written atomically by a
 * PosixStorage rooted at the directory — which refuses any name that would land outside it
 * (`../x`, `/abs/x`, `a/../../x`, a link leading out): such an object is a counted InvalidKeyError
 * and the others go on.
 *
 * @packageDocumentation
 */
import { NotFoundError } from "../errors.js";
import { normalizeKey } from "../storage/keys.js";
import type { Storage } from "../storage/index.js";
import { forEachBounded } from "./bounded.js";
import type { TransferOptions } from "./push.js";
import { sameContent } from "./same-content.js";
import { TransferReport } from "./transfer-report.js";

/** One object to fetch. */
export interface PullItem {
  /** The object key as listed (checked here: it may be malformed on a store that allows it). */
  key: string;
  /** Where it goes, relative to the target directory (checked here the same way). */
  local: string;
  /** The local path as shown to the user, for reports. */
  shown: string;
  /** Set when the caller already refused the item (e.g. a name outside the mapped location): recorded as its failure. */
  refused?: Error;
}

/**
 * Fetches every item from `source` into `target` (a PosixStorage over the local directory);
 * never throws for one file's failure (see the report).
 * @throws what the item sequence throws (e.g. the listing is refused)
 */
export async function pullObjects(
  items: AsyncIterable<PullItem> | Iterable<PullItem>,
  source: Storage,
  target: Storage,
  options: TransferOptions = {},
): Promise<TransferReport> {
  const report = new TransferReport();
  await forEachBounded(items, options.jobs ?? 8, async (item) => {
    let bytes = 0;
    try {
      if (item.refused !== undefined) throw item.refused;
      // both names are checked before a byte moves: a listing may hold names a key cannot be
      normalizeKey(item.key);
      const local = normalizeKey(item.local);
      if (options.skipExisting === true) {
        const info = await source.stat(item.key);
        if (await haveLocally(target, local, source, info)) {
          bytes = info.size;
          report.skip({ key: item.key, local: item.shown, bytes });
          return;
        }
      }
      // no stat otherwise: one request per object, the bytes counted as they pass
      const body = await source.readStream(item.key);
      async function* counted(): AsyncGenerator<Uint8Array> {
        for await (const chunk of body) {
          bytes += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      }
      try {
        await target.writeStream(local, counted(), { durable: options.durable !== false });
      } finally {
        // a write refused before it read (a link leading out) must not leave the download open
        if (!body.readableEnded) body.destroy();
      }
      report.done({ key: item.key, local: item.shown, bytes });
    } catch (err) {
      report.fail(item.key, item.shown, err);
    } finally {
      options.onFile?.(bytes);
    }
  });
  return report;
}

async function haveLocally(target: Storage, local: string, source: Storage, info: Awaited<ReturnType<Storage["stat"]>>): Promise<boolean> {
  let file;
  try {
    file = await target.getLocalFile(local);
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
  try {
    const size = (await target.stat(local)).size;
    return await sameContent(file.path, size, source, info);
  } finally {
    await file.release();
  }
}

/**
 * `--skip-existing`: whether the other side already holds the same bytes — same size, and the
 * same MD5 where one can be had without a transfer (an MD5 ETag, as Swift's; or a local file).
 * Where neither side can prove it, the answer is "no": a skipped changed file would be a silent loss.
 *
 * @packageDocumentation
 */
import { md5File } from "../storage/md5.js";
import type { ObjectInfo, Storage } from "../storage/index.js";

/** An MD5 ETag (bare or quoted hex), as Swift gives for objects that are not large objects. */
export function md5OfEtag(etag: string | undefined): string | undefined {
  const bare = etag?.replace(/^"(.*)"$/, "$1");
  return bare !== undefined && /^[0-9a-f]{32}$/i.test(bare) ? bare.toLowerCase() : undefined;
}

/**
 * Whether the local file at `localPath` (of `localSize` bytes) has the content of the object
 * `info` in `storage`.
 * @throws the local read's error (the caller records it as that file's failure)
 */
export async function sameContent(localPath: string, localSize: number, storage: Storage, info: ObjectInfo): Promise<boolean> {
  if (info.size !== localSize) return false;
  const etagMd5 = md5OfEtag(info.etag);
  const localMd5 = async (): Promise<string> => (await md5File(localPath)).segments[0]!;
  if (etagMd5 !== undefined) return (await localMd5()) === etagMd5;
  if (!storage.capabilities.localPath) return false;
  const file = await storage.getLocalFile(info.key);
  try {
    return (await md5File(file.path)).segments[0] === (await localMd5());
  } finally {
    await file.release();
  }
}

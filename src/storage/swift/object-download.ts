/**
 * Downloads of whole objects into local files, checked against their ETag and length, and the
 * revalidated variant for objects kept in the user's disk cache (`../revalidated-file.ts`).
 *
 * @packageDocumentation
 */
import { extname } from "node:path";
import type { Readable } from "node:stream";
import { ChangedError, StorageError } from "../../errors.js";
import type { LocalFile } from "../../temp/index.js";
import { revalidatedLocalFile, type Revalidation } from "../revalidated-file.js";
import { header } from "./auth-session.js";
import { downloadToFile } from "../md5.js";
import { resumableGet, type ResumableResponse } from "./resumable-get.js";
import type { ByteRange } from "../storage.js";
import { readManifest, sloEtag } from "./slo.js";
import { emptyStream, rangeHeader, sliceStream } from "../range-header.js";
import type { SwiftClient } from "./swift-client.js";

/** What a download is about, for requests and messages. */
export interface DownloadSubject {
  client: SwiftClient;
  /** Object name in the container. */
  name: string;
  /** Storage key, for messages. */
  key: string;
  /** Storage root, for messages. */
  where: string;
  /** The error for a failed response (NotFoundError for 404 …). */
  fail(status: number): Error;
}

/**
 * Writes a 200 response's (resuming) body into the existing file at `path` and checks its length
 * and MD5 against the response. A Static Large Object's ETag is the MD5 of its segments' MD5s:
 * its manifest gives the segment sizes, and the download is hashed segment by segment to match
 * (a nested or ranged manifest, or a Dynamic Large Object, has its length checked only).
 * @returns the ETag and size
 * @throws StorageError E_CHECKSUM when the bytes do not match; E_CONNECTION/E_TIMEOUT/E_CHANGED from the body
 */
export async function receiveInto(res: ResumableResponse, path: string, s: DownloadSubject): Promise<{ etag: string | undefined; size: number }> {
  const large = header(res.headers, "x-static-large-object")?.toLowerCase() === "true";
  const sizes = large && res.etag !== undefined ? await segmentSizes(s, res.etag) : undefined;
  const { segments, size } = await downloadToFile(res.body as unknown as Readable, path, sizes ?? Infinity);
  if (res.length !== undefined && size !== res.length) {
    throw new StorageError(`the download of "${s.key}" from ${s.where} has ${size} bytes, not ${res.length}; try again`, { code: "E_CHECKSUM" });
  }
  const plain = res.etag !== undefined && /^[0-9a-f]{32}$/.test(res.etag);
  const actual = sizes !== undefined ? `"${sloEtag(segments)}"` : plain ? segments[0] : res.etag;
  if (actual !== res.etag) {
    throw new StorageError(`the download of "${s.key}" from ${s.where} does not match its ETag (MD5); try again`, { code: "E_CHECKSUM" });
  }
  return { etag: res.etag, size };
}

/** The segment sizes of a large object whose ETag is `etag`, or undefined when they cannot be checked. */
async function segmentSizes(s: DownloadSubject, etag: string): Promise<number[] | undefined> {
  const manifest = await readManifest(s.client, s.name);
  if (manifest === undefined || manifest.some((e) => e.sub_slo === true || e.range !== undefined)) return undefined;
  if (`"${sloEtag(manifest.map((e) => e.hash))}"` !== etag) {
    throw new ChangedError(`"${s.key}" in ${s.where} was replaced while it was being downloaded; try again`);
  }
  return manifest.map((e) => e.bytes);
}

/**
 * A (resuming) stream of the object or a range of it, the status checked first. The range is
 * checked and non-empty (HTTP cannot ask for zero bytes). With `range.ifMatch` the GET carries
 * `If-Match`, so a newer version is refused (412) rather than read.
 * @throws NotFoundError (via `fail`), ChangedError (412 on a pinned range); the stream fails as {@link resumableGet}'s
 */
export async function openRange(s: DownloadSubject, range: ByteRange | undefined): Promise<Readable> {
  const wanted = rangeHeader(range);
  const span = wanted === undefined || range === undefined ? undefined : { start: range.offset, ...(range.length === undefined ? {} : { end: range.offset + range.length - 1 }) };
  // If-Match pins the range to a version; the resumed rest of the body is pinned to it anyway
  const res = await resumableGet(s.client, s.name, span, range?.ifMatch === undefined ? {} : { "if-match": range.ifMatch });
  if (res.statusCode === 412 && range?.ifMatch !== undefined) {
    await res.body.dump();
    throw new ChangedError(`"${s.key}" in ${s.where} was replaced while it was being read; read it again`);
  }
  if (res.statusCode === 416) {
    // only an existing object answers 416: the offset is at or past its end
    await res.body.dump();
    return emptyStream();
  }
  if (res.statusCode === 206 || (res.statusCode === 200 && wanted === undefined)) return res.body as unknown as Readable;
  if (res.statusCode === 200 && range !== undefined) return sliceStream(res.body as unknown as Readable, range, res.length ?? 0);
  await res.body.dump();
  throw s.fail(res.statusCode);
}

/**
 * Downloads an object into the existing, empty file at `path`.
 * @throws NotFoundError (via `fail`) for a missing object; StorageError as {@link receiveInto}
 */
export async function downloadObject(s: DownloadSubject, path: string): Promise<void> {
  const res = await resumableGet(s.client, s.name);
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw s.fail(res.statusCode);
  }
  await receiveInto(res, path, s);
}

/**
 * A lease on a local copy of the object from the user's disk cache: when a copy is cached,
 * one conditional GET (`If-None-Match: <etag>`) — 304 reuses it, 200 replaces it; otherwise one
 * GET (see {@link revalidatedLocalFile}).
 * @throws NotFoundError (via `fail`) for a missing object (and the cached copy is dropped);
 *   StorageError as {@link receiveInto}
 */
export async function revalidatedSwiftFile(s: DownloadSubject): Promise<LocalFile> {
  const id = `${await s.client.storageUrl()}${s.client.pathOf(s.name)}`;
  return revalidatedLocalFile(id, extname(s.key), async (etag): Promise<Revalidation> => {
    const res = await resumableGet(s.client, s.name, undefined, etag === undefined ? {} : { "if-none-match": etag });
    if (res.statusCode === 304 && etag !== undefined) return { notModified: true, done: () => res.body.dump() };
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw s.fail(res.statusCode);
    }
    return { notModified: false, etag: res.etag, size: res.length, receive: (path) => receiveInto(res, path, s), cancel: () => res.body.dump() };
  });
}

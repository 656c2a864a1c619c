/**
 * Static Large Objects: segments in `<container>_segments` under a prefix unique to each upload,
 * the manifest last (so a reader sees the old object or the whole new one, never a part), and the
 * segments deleted when an upload fails, when the object is replaced and when it is deleted.
 * Names follow python-swiftclient (`<object>/slo/<timestamp>/<size>/<segment size>/<00000001>`),
 * so either tool can clean up after the other.
 *
 * @packageDocumentation
 */
import { PermissionDeniedError, StorageError } from "../../errors.js";
import { header } from "./auth-session.js";
import { md5Hex } from "../md5.js";
import type { ReplayableBody, SwiftClient } from "./swift-client.js";

/** One segment of a manifest as Swift stores it (`?multipart-manifest=get`). */
export interface ManifestEntry {
  /** `/<container>/<object>` of the segment. */
  name: string;
  bytes: number;
  hash: string;
  /** A nested manifest or a byte range of a segment: the ETag cannot be checked from hashes. */
  sub_slo?: boolean;
  range?: string;
}

/** The bytes to upload: their size, segment MD5s, and a replayable body of any span. */
export interface UploadSource {
  size: number;
  /** MD5 of each segment (of the storage's segment size; one for a small object). */
  segments: string[];
  /** The bytes `[start, end)` as a body that can be sent again: a buffer, or a file span's stream factory. */
  body(start: number, end: number): ReplayableBody;
}

/** The container holding a container's segments, as python-swiftclient names it. */
export function segmentsContainer(container: string): string {
  return `${container}_segments`;
}

/** The ETag Swift gives a Static Large Object: the MD5 of its segments' MD5s, quoted. */
export function sloEtag(segmentMd5s: readonly string[]): string {
  return md5Hex(segmentMd5s.join(""));
}

/** Strips the quotes of a large object's ETag. */
export function unquote(etag: string): string {
  return etag.replace(/^"(.*)"$/, "$1");
}

/**
 * The manifest of a Static Large Object, or undefined when the object is not one (or is gone).
 * @throws StorageError as {@link SwiftClient.send}
 */
export async function readManifest(client: SwiftClient, name: string): Promise<ManifestEntry[] | undefined> {
  const res = await client.send({ method: "GET", object: name, query: { "multipart-manifest": "get" } });
  if (res.statusCode !== 200 || header(res.headers, "x-static-large-object")?.toLowerCase() !== "true") {
    await res.body.dump();
    return undefined;
  }
  return (await res.body.json()) as ManifestEntry[];
}

/**
 * Makes the segments container unless it exists.
 * @throws PermissionDeniedError when the user may not create it (naming what to do)
 */
export async function ensureSegmentsContainer(client: SwiftClient, where: string): Promise<void> {
  const container = segmentsContainer(client.container);
  const head = await client.send({ method: "HEAD", container });
  await head.body.dump();
  if (head.statusCode >= 200 && head.statusCode < 300) return;
  const put = await client.send({ method: "PUT", container });
  await put.body.dump();
  if (put.statusCode === 201 || put.statusCode === 202) return;
  if (put.statusCode === 403) {
    const err = new PermissionDeniedError(container, where);
    err.message = `objects larger than the segment size go up as Static Large Objects, whose segments live in "${container}"; this user may not create it (HTTP 403): ask the account owner to create it with write access for you`;
    throw err;
  }
  throw new StorageError(`cannot create the segments container "${container}" for ${where} (HTTP ${put.statusCode})`);
}

/**
 * Uploads the segments (each with its MD5, `concurrency` at a time) under a prefix of its own, and
 * returns the manifest to PUT. On any failure the segments already stored are deleted.
 * @throws StorageError (E_CHECKSUM …), PermissionDeniedError from a segment PUT
 */
export async function uploadSegments(
  client: SwiftClient,
  name: string,
  source: UploadSource,
  segmentSize: number,
  concurrency: number,
  fail: (status: number) => Error,
): Promise<Array<{ path: string; etag: string; size_bytes: number }>> {
  const container = segmentsContainer(client.container);
  // microseconds, as python-swiftclient's mtime; random digits keep two concurrent uploads apart
  const stamp = `${(Date.now() / 1000).toFixed(3)}${String(Math.floor(Math.random() * 1000)).padStart(3, "0")}`;
  const prefix = `${name}/slo/${stamp}/${source.size}/${segmentSize}`;
  const manifest = source.segments.map((etag, i) => ({
    path: `/${container}/${prefix}/${String(i + 1).padStart(8, "0")}`,
    etag,
    size_bytes: Math.min(segmentSize, source.size - i * segmentSize),
  }));
  const stored: string[] = [];
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < manifest.length) {
      const i = next++;
      const object = manifest[i]!.path.slice(container.length + 2);
      const start = i * segmentSize;
      const res = await client.send({
        method: "PUT",
        container,
        object,
        headers: { etag: manifest[i]!.etag, "content-length": String(manifest[i]!.size_bytes) },
        // a buffer or a file span: retries resend the segment whole
        body: source.body(start, start + manifest[i]!.size_bytes),
      });
      await res.body.dump();
      if (res.statusCode !== 201) throw fail(res.statusCode);
      stored.push(object);
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(concurrency, manifest.length) }, () => worker().catch((err) => ((failed = true), Promise.reject(err)))));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure !== undefined) {
    await deleteSegments(client, stored.map((o) => `/${container}/${o}`));
    throw failure.reason;
  }
  return manifest;
}

/** Deletes segments by `/<container>/<object>` path (unencoded, as in a manifest), best effort: a missing one is fine. */
export async function deleteSegments(client: SwiftClient, paths: readonly string[]): Promise<void> {
  const queue = [...paths];
  const worker = async (): Promise<void> => {
    for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
      const slash = path.indexOf("/", 1);
      const res = await client
        .send({ method: "DELETE", container: path.slice(1, slash), object: path.slice(slash + 1) })
        .catch(() => undefined);
      await res?.body.dump();
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
}

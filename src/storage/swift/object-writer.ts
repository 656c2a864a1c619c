/**
 * Writes and deletes of whole objects: one PUT with its MD5 up to the segment size, a Static
 * Large Object above it; old segments cleaned up after a replacement, segments deleted with
 * their manifest.
 *
 * @packageDocumentation
 */
import { createReadStream } from "node:fs";
import { header } from "./auth-session.js";
import { SegmentedMd5 } from "../md5.js";
import { deleteSegments, ensureSegmentsContainer, readManifest, segmentsContainer, sloEtag, uploadSegments, type UploadSource } from "./slo.js";
import type { ReplayableBody, SwiftClient } from "./swift-client.js";

/** What the writer needs from its storage. */
export interface WriterContext {
  client: SwiftClient;
  /** Storage root, for messages. */
  where: string;
  /** Objects larger than this go up as Static Large Objects. */
  segmentSize: number;
  /** Segments uploaded at once. */
  segmentConcurrency: number;
  /** The error for a failed response about a key. */
  error(method: string, key: string, status: number, ifAbsent?: boolean): Error;
}

/** An upload source over bytes in memory. */
export function bufferSource(bytes: Buffer, segmentSize: number): UploadSource {
  const hasher = new SegmentedMd5(segmentSize);
  hasher.update(bytes);
  const { size, segments } = hasher.digest();
  return { size, segments, body: (start, end) => bytes.subarray(start, end) };
}

/** An upload source over a file whose size and segment MD5s are known. */
export function fileSource(path: string, digest: { size: number; segments: string[] }): UploadSource {
  return {
    ...digest,
    body: (start, end): ReplayableBody => (end <= start ? Buffer.alloc(0) : () => createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 })),
  };
}

/**
 * Puts and deletes objects of one storage.
 *
 * ```ts
 * const writer = new ObjectWriter({ client, where: uri, segmentSize: 1 << 30, segmentConcurrency: 4, error });
 * await writer.put("calexp/v1.fits", "rerun/calexp/v1.fits", fileSource(path, await md5File(path, 1 << 30)), false);
 * ```
 */
export class ObjectWriter {
  readonly #ctx: WriterContext;
  /** Whether `<container>_segments` exists: without it no large object can be here. */
  #segmentsExist: Promise<boolean> | undefined;

  /** @param ctx - the storage's client, limits and error factory */
  constructor(ctx: WriterContext) {
    this.#ctx = ctx;
  }

  /**
   * Stores `source` as object `name` (storage key `key`): one PUT with its MD5, or segments then a
   * manifest. A replaced large object's segments are deleted once the new object is in place.
   * With `ifAbsent` the caller serialises writes of the key; a large object checks first, so it
   * does not upload segments for nothing.
   * @throws AlreadyExistsError (ifAbsent), PermissionDeniedError, StorageError (E_CHECKSUM, E_TOO_LARGE …)
   */
  async put(key: string, name: string, source: UploadSource, ifAbsent: boolean): Promise<void> {
    const { client } = this.#ctx;
    const old = ifAbsent ? undefined : await this.#manifestOf(name);
    if (source.size <= this.#ctx.segmentSize) {
      await this.#putOnce(key, name, { etag: source.segments[0]!, "content-length": String(source.size) }, source.body(0, source.size), ifAbsent, source.segments[0]!);
    } else {
      await this.#putLarge(key, name, source, ifAbsent);
    }
    if (old !== undefined) await deleteSegments(client, old.map((e) => e.name));
  }

  /**
   * Deletes an object; a large object's segments with it.
   * @throws NotFoundError, PermissionDeniedError
   */
  async delete(key: string, name: string): Promise<void> {
    const { client } = this.#ctx;
    const manifest = await this.#manifestOf(name);
    const res = await client.send({ method: "DELETE", object: name, ...(manifest === undefined ? {} : { query: { "multipart-manifest": "delete" }, headers: { accept: "application/json" } }) });
    let status = res.statusCode;
    if (manifest !== undefined && status === 200) {
      // a bulk-delete report: the real outcome is in the body
      const report = (await res.body.json()) as { "Response Status"?: string; "Number Deleted"?: number };
      status = Number((report["Response Status"] ?? "500").slice(0, 3));
      if (status === 200 && report["Number Deleted"] === 0) status = 404;
    } else {
      await res.body.dump();
    }
    if (status === 200 || status === 204) return;
    // an earlier attempt may have deleted it before its connection dropped
    if (status === 404 && res.uncertain) return;
    throw this.#ctx.error("DELETE", key, status);
  }

  /** The manifest of the object if it is a large object; one HEAD (and a GET for a manifest) when a segments container exists. */
  async #manifestOf(name: string): Promise<Awaited<ReturnType<typeof readManifest>>> {
    if (!(await this.#hasSegments())) return undefined;
    const head = await this.#ctx.client.send({ method: "HEAD", object: name });
    await head.body.dump();
    if (head.statusCode !== 200 || header(head.headers, "x-static-large-object")?.toLowerCase() !== "true") return undefined;
    return readManifest(this.#ctx.client, name);
  }

  #hasSegments(): Promise<boolean> {
    this.#segmentsExist ??= (async () => {
      const res = await this.#ctx.client.send({ method: "HEAD", container: segmentsContainer(this.#ctx.client.container) });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300;
    })().catch((err: unknown) => {
      this.#segmentsExist = undefined;
      throw err;
    });
    return this.#segmentsExist;
  }

  async #putLarge(key: string, name: string, source: UploadSource, ifAbsent: boolean): Promise<void> {
    const { client, where, segmentSize, segmentConcurrency } = this.#ctx;
    if (ifAbsent && (await this.#etagOf(name)) !== undefined) throw this.#ctx.error("PUT", key, 412, true);
    await ensureSegmentsContainer(client, where);
    this.#segmentsExist = Promise.resolve(true);
    const manifest = await uploadSegments(client, name, source, segmentSize, segmentConcurrency, (status) => this.#ctx.error("PUT", key, status));
    const etag = sloEtag(source.segments);
    try {
      // the manifest goes last: until it is in place, readers see the old object (or none)
      await this.#putOnce(key, name, { etag }, JSON.stringify(manifest), ifAbsent, `"${etag}"`, { "multipart-manifest": "put" });
    } catch (err) {
      await deleteSegments(client, manifest.map((m) => m.path));
      throw err;
    }
  }

  /** One PUT; a 412 after an attempt that may have arrived is checked against what we sent. */
  async #putOnce(key: string, name: string, headers: Record<string, string>, body: ReplayableBody, ifAbsent: boolean, expectEtag: string, query?: Record<string, string>): Promise<void> {
    const sent = ifAbsent ? { ...headers, "if-none-match": "*" } : headers;
    // `body` is a buffer or a file (writeStream spooled its source): each retry resends it whole
    const res = await this.#ctx.client.send({ method: "PUT", object: name, headers: sent, body, ...(query === undefined ? {} : { query }) });
    await res.body.dump();
    if (res.statusCode === 201) return;
    // an attempt whose connection dropped may have stored these very bytes: that 412 is ours
    if (res.statusCode === 412 && ifAbsent && res.uncertain && (await this.#etagOf(name)) === expectEtag) return;
    throw this.#ctx.error("PUT", key, res.statusCode, ifAbsent);
  }

  async #etagOf(name: string): Promise<string | undefined> {
    const res = await this.#ctx.client.send({ method: "HEAD", object: name });
    await res.body.dump();
    return res.statusCode === 200 ? header(res.headers, "etag") : undefined;
  }
}

/**
 * ListObjectsV2 pages: object keys and rolled-up prefixes, merged in byte order.
 *
 * @packageDocumentation
 */
import { XMLParser } from "fast-xml-parser";
import { StorageError } from "../../errors.js";
import type { S3Client } from "./s3-client.js";

/** One listed object. */
export interface ListedObject {
  key: string;
  size: number;
}

const parser = new XMLParser({ isArray: (name) => name === "Contents" || name === "CommonPrefixes", parseTagValue: false, processEntities: true });

/** One page of a listing. */
export interface ListPage {
  status: number;
  objects: ListedObject[];
  prefixes: string[];
  next: string | undefined;
}

/**
 * One page after `token`.
 * @throws StorageError when the listing is not S3's XML; E_CONNECTION etc. from the client
 */
export async function listPage(client: S3Client, prefix: string, delimiter: string | undefined, token: string | undefined): Promise<ListPage> {
  const query: Record<string, string> = { "list-type": "2", prefix };
  if (delimiter !== undefined) query.delimiter = delimiter;
  if (token !== undefined) query["continuation-token"] = token;
  const res = await client.send({ method: "GET", query });
  if (res.statusCode !== 200) {
    await res.body.dump();
    return { status: res.statusCode, objects: [], prefixes: [], next: undefined };
  }
  const text = await res.body.text();
  let doc: { ListBucketResult?: Record<string, unknown> };
  try {
    doc = parser.parse(text) as typeof doc;
  } catch (err) {
    throw new StorageError(`the S3 listing of bucket ${client.bucket} is not valid XML`, { cause: err });
  }
  const result = doc.ListBucketResult;
  if (result === undefined) throw new StorageError(`the S3 listing of bucket ${client.bucket} has no ListBucketResult`);
  const contents = (result.Contents ?? []) as Array<{ Key: string; Size: string }>;
  const common = (result.CommonPrefixes ?? []) as Array<{ Prefix: string }>;
  const truncated = String(result.IsTruncated) === "true";
  const next = truncated ? String(result.NextContinuationToken ?? "") : undefined;
  return { status: 200, objects: contents.map((c) => ({ key: String(c.Key), size: Number(c.Size) })), prefixes: common.map((p) => String(p.Prefix)), next: next === "" ? undefined : next };
}

/**
 * Names (keys and, with a delimiter, prefixes) below `prefix` in byte order, with sizes of objects.
 * @throws the error `fail` makes for a non-200 page
 */
export async function* listAll(client: S3Client, prefix: string, delimiter: string | undefined, fail: (status: number) => Error, assertOpen: () => void): AsyncGenerator<{ name: string; size?: number }> {
  let token: string | undefined;
  for (;;) {
    assertOpen();
    const page = await listPage(client, prefix, delimiter, token);
    if (page.status !== 200) throw fail(page.status);
    const names: Array<{ name: string; size?: number }> = [...page.objects.map((o) => ({ name: o.key, size: o.size })), ...page.prefixes.map((p) => ({ name: p }))];
    names.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    yield* names;
    if (page.next === undefined) return;
    token = page.next;
  }
}

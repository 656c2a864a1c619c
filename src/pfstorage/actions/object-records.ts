/**
 * Listing records with pfstorage's (Swift's) field names: `name`, `bytes`, `hash`,
 * `content_type`, `last_modified`. Fields beyond `name` need a `stat` per object, done with
 * bounded parallelism and only when asked for.
 *
 * @packageDocumentation
 */
import { UsageError } from "../../errors.js";
import { contentTypeOf } from "../../storage/content-types.js";
import type { ObjectInfo, Storage } from "../../storage/index.js";
import { forEachBounded } from "../../transfer/bounded.js";

/** The fields a record may have, in Swift's listing order. */
export const RECORD_FIELDS = ["bytes", "hash", "name", "content_type", "last_modified"] as const;
/** One field an `ls` record may carry. */
export type RecordField = (typeof RECORD_FIELDS)[number];

/** Swift's `last_modified`: ISO 8601 with microseconds and no zone (UTC). */
export function swiftTime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

/**
 * Checks a `retSpec`.
 * @throws UsageError naming the unknown field and the known ones
 */
export function checkFields(fields: readonly string[]): RecordField[] {
  for (const f of fields) {
    if (!(RECORD_FIELDS as readonly string[]).includes(f)) throw new UsageError(`retSpec field "${f}" is not one of ${RECORD_FIELDS.join(", ")}`);
  }
  return fields as RecordField[];
}

/**
 * One record per name, with the fields asked for, in the order of `names`.
 * @throws the storage's error for an object that vanished or cannot be read
 */
export async function objectRecords(storage: Storage, names: readonly string[], fields: readonly RecordField[], jobs: number): Promise<Array<Record<string, unknown>>> {
  const needStat = fields.some((f) => f !== "name" && f !== "content_type");
  const infos: Array<ObjectInfo | undefined> = new Array(names.length);
  if (needStat) await forEachBounded(names.keys(), jobs, async (i) => void (infos[i] = await storage.stat(names[i]!)));
  return names.map((name, i) => {
    const info = infos[i];
    const record: Record<string, unknown> = {};
    for (const field of fields) {
      if (field === "name") record.name = name;
      else if (field === "bytes") record.bytes = info!.size;
      else if (field === "hash") record.hash = (info!.etag ?? "").replace(/^"(.*)"$/, "$1");
      else if (field === "content_type") record.content_type = contentTypeOf(name);
      else record.last_modified = swiftTime(info!.modified);
    }
    return record;
  });
}

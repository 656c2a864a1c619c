/**
 * `ls`: the objects below `meta.path` whose name contains `meta.substr`, as records of the
 * `meta.retSpec` fields (default `["name"]`; `[]` gives pfstorage's raw listing shape).
 *
 * Deviations from pfstorage 2.0.0.2: no `path` lists everything (pfstorage's default `/` matched
 * nothing); a leading `./` is ignored; an empty listing has `status: true`; `retSpec` may be a
 * comma-separated string (form bodies).
 *
 * @packageDocumentation
 */
import type { PfContext } from "../pf-context.js";
import { listingPrefix, metaList, metaString } from "./meta-values.js";
import { checkFields, objectRecords, RECORD_FIELDS } from "./object-records.js";

/** Runs `ls`. @throws UsageError (bad retSpec), InvalidKeyError (bad path), the storage's errors */
export async function lsAction(meta: Readonly<Record<string, unknown>>, ctx: PfContext): Promise<Record<string, unknown>> {
  const path = listingPrefix(metaString(meta, "path"));
  const substr = metaString(meta, "substr");
  const retSpec = metaList(meta, "retSpec") ?? ["name"];
  const fields = checkFields(retSpec);
  ctx.authorize("read", "ls");
  const storage = await ctx.storage(meta);
  const names: string[] = [];
  for await (const name of storage.list({ prefix: path })) if (substr === undefined || name.includes(substr)) names.push(name);
  if (fields.length === 0) {
    const objectDict = await objectRecords(storage, names, RECORD_FIELDS, ctx.jobs);
    return { status: true, ls: { status: true, objectDict, lsList: names, fullPath: path } };
  }
  return { status: true, ls: await objectRecords(storage, names, fields, ctx.jobs) };
}

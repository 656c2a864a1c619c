/**
 * `objPut` (alias `objPush`): the files below the local directory `meta.putSpec` stored as objects;
 * a file's name is its path with the leading `meta.mapLocationOver` (default: `putSpec`) replaced
 * by `meta.inLocation` — a prefix, once, never elsewhere in the name.
 *
 * Deviations from pfstorage 2.0.0.2: offered by the server too (below its data root); files are
 * streamed, each with its MD5 checked by the storage; without `mapLocationOver` names are
 * `inLocation/<path below putSpec>` (pfstorage concatenated `inLocation + "./data/file"`); a file
 * not below `mapLocationOver` is refused (E_INVALID_KEY) and counted; `localpath` is `putSpec`;
 * every failure is listed in `errors`.
 *
 * @packageDocumentation
 */
import { InvalidKeyError, UsageError } from "../../errors.js";
import { pushFiles, type PushItem } from "../../transfer/push.js";
import { walkFiles } from "../../transfer/local-files.js";
import { belowPrefix, joinNames } from "../location-map.js";
import { noDataRoot, type PfContext } from "../pf-context.js";
import { metaString } from "./meta-values.js";
import { transferResult } from "./transfer-result.js";

/** Runs `objPut`. @throws UsageError (no putSpec), PermissionDeniedError (server without data root), InvalidKeyError, NotFoundError (missing directory) */
export async function objPutAction(meta: Readonly<Record<string, unknown>>, ctx: PfContext, action = "objPut"): Promise<Record<string, unknown>> {
  const putSpec = metaString(meta, "putSpec");
  if (putSpec === undefined || putSpec === "") throw new UsageError(`${action} needs meta.putSpec, the local directory to store`);
  const inLocation = metaString(meta, "inLocation") ?? "";
  const mapOver = metaString(meta, "mapLocationOver") || putSpec;
  ctx.authorize("write", action);
  if (ctx.local === undefined) throw noDataRoot(action);
  const local = ctx.local;
  const dir = local.directory(putSpec);
  const storage = await ctx.storage(meta);
  const order: PushItem[] = [];
  async function* items(): AsyncGenerator<PushItem> {
    for await (const file of walkFiles(dir, local.confined ? { confineTo: local.root } : {})) {
      const shown = joinNames(putSpec!.replace(/\/+$/, ""), file.relative);
      const rest = belowPrefix(shown, mapOver);
      const item: PushItem = { path: file.path, size: file.size, key: rest === undefined ? shown : joinNames(inLocation, rest), shown };
      if (rest === undefined) item.refused = new InvalidKeyError(shown, `it is not below mapLocationOver "${mapOver}"`);
      order.push(item);
      yield item;
    }
  }
  const report = await pushFiles(items(), storage, { jobs: ctx.jobs });
  return transferResult(report, order, { localpath: putSpec });
}

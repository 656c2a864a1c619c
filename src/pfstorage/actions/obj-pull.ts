/**
 * `objPull`: the objects below `meta.path` (default: `meta.fromLocation`) whose name contains
 * `meta.substr`, written below the local directory `meta.mapLocationOver` (default `.`) at their
 * name with the leading `fromLocation` removed.
 *
 * Deviations from pfstorage 2.0.0.2 (which wrote wherever a name or the client said, §5 of the
 * notes): the local directory is confined — an object not below `fromLocation`, or whose name
 * would leave the directory (`../x`, `/abs/x`, `a/../../x`), is refused with E_INVALID_KEY and
 * counted while the others go on; without `mapLocationOver` files go to the working directory
 * (pfstorage: `/`); on a server, paths are below its data root; files are written atomically and
 * streamed.
 *
 * @packageDocumentation
 */
import { InvalidKeyError } from "../../errors.js";
import { pullObjects, type PullItem } from "../../transfer/pull.js";
import { belowPrefix, joinNames, pathForm } from "../location-map.js";
import { noDataRoot, type PfContext } from "../pf-context.js";
import { listingPrefix, metaString } from "./meta-values.js";
import { transferResult } from "./transfer-result.js";

/** Runs `objPull`. @throws PermissionDeniedError (server without data root), InvalidKeyError (a target outside the data root), the storage's listing errors */
export async function objPullAction(meta: Readonly<Record<string, unknown>>, ctx: PfContext): Promise<Record<string, unknown>> {
  const fromLocation = pathForm(listingPrefix(metaString(meta, "fromLocation")));
  const pathMeta = metaString(meta, "path");
  const path = pathMeta === undefined ? fromLocation : listingPrefix(pathMeta);
  const substr = metaString(meta, "substr");
  const mapOver = metaString(meta, "mapLocationOver") || ".";
  ctx.authorize("write", "objPull");
  if (ctx.local === undefined) throw noDataRoot("objPull");
  const storage = await ctx.storage(meta);
  const writer = await ctx.local.writer(mapOver);
  try {
    const order: PullItem[] = [];
    async function* items(): AsyncGenerator<PullItem> {
      for await (const name of storage.list({ prefix: path })) {
        if (substr !== undefined && !name.includes(substr)) continue;
        const rest = belowPrefix(name, fromLocation);
        // an exact match of fromLocation keeps its last segment as the file name
        const tail = rest === "" ? name.split("/").pop()! : rest;
        const item: PullItem = { key: name, local: joinNames(writer.base, tail ?? name), shown: joinNames(mapOver, tail ?? name) };
        if (rest === undefined) item.refused = new InvalidKeyError(name, `it is not below fromLocation "${fromLocation}"`);
        order.push(item);
        yield item;
      }
    }
    const report = await pullObjects(items(), storage, writer.storage, { jobs: ctx.jobs });
    return transferResult(report, order, { localpath: mapOver, currentWorkingDir: ctx.mode === "cli" ? process.cwd() : "." });
  } finally {
    await writer.storage.close();
  }
}

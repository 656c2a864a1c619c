/**
 * The lists of the browser page, read-only and read-scoped:
 *
 * - `GET /api/v1/repos/NAME/browse/types` — the dataset types to browse (not the `_md`, `_sub` …
 *   views of them), each with its kind (`image`, `catalog`, `other`) and data id keys;
 * - `GET /api/v1/repos/NAME/browse/ids/TYPE?id.KEY=VALUE…&offset=&limit=` — the data ids of a type
 *   (the registry's, via `Butler.subset`, and the outputs' recorded ones), filtered by the `id.`
 *   values, one page at a time, each with whether it is stored.
 *
 * @packageDocumentation
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { DataIdValue } from "../../data-id.js";
import { dataIdParam, intParam, type QueryParams } from "../browse-params.js";
import { browsedTypes } from "../dataset-kinds.js";
import type { ServerContext } from "../server-context.js";

/** Most data ids in one page. */
export const MAX_IDS_PAGE = 200;
/** Existence checks (a stat, or a HEAD on a remote storage) at once for a page. */
const EXISTS_AT_ONCE = 16;

type TypeRequest = FastifyRequest<{ Params: { repo: string; type: string }; Querystring: QueryParams }>;

/** Registers the browser's list routes. */
export function browseListRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/api/v1/repos/:repo/browse/types", async (req: FastifyRequest<{ Params: { repo: string } }>) => {
    const { repo } = req.params;
    ctx.access.require(req.headers, "read", `listing the dataset types of repo "${repo}"`);
    const butler = await ctx.repos.get(repo).butler();
    const types = browsedTypes(butler.getDatasetTypes()).map((t) => ({ ...t, keys: butler.getKeys(t.name) }));
    return { repo, types };
  });

  app.get("/api/v1/repos/:repo/browse/ids/:type", async (req: TypeRequest) => {
    const { repo, type } = req.params;
    ctx.access.require(req.headers, "read", `listing "${type}" data ids of repo "${repo}"`);
    const offset = intParam(req.query, "offset", 0, Number.MAX_SAFE_INTEGER, 0);
    const limit = intParam(req.query, "limit", 1, MAX_IDS_PAGE, 50);
    const butler = await ctx.repos.get(repo).butler();
    const keys = butler.getKeys(type);
    const where = dataIdParam(req.query, keys);
    let all: Array<Record<string, DataIdValue>>;
    if (Object.keys(keys).length === 0) all = [{}]; // a type without keys (a config) is one dataset
    else all = (await butler.subset(type, undefined, where)).refs.map((ref) => ({ ...ref.dataId }));
    const page = all.slice(offset, offset + limit);
    const ids: Array<{ dataId: Record<string, DataIdValue>; exists: boolean | null }> = page.map((dataId) => ({ dataId, exists: null }));
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < ids.length; i = next++) {
        // a registry row that does not map (a calibration without its validity keys) is listed, not stored
        ids[i]!.exists = await butler.datasetExists(type, ids[i]!.dataId).catch(() => null);
      }
    };
    await Promise.all(Array.from({ length: Math.min(EXISTS_AT_ONCE, ids.length) }, worker));
    return { repo, type, keys, total: all.length, offset, limit, ids };
  });
}

/**
 * What a served repository holds, as its Butler answers it (JSON, as the command line's `--json`):
 * `GET /api/v1/repos/NAME/types` (dataset types), `…/keys/TYPE` (data id keys and their types),
 * `…/query/TYPE?keys=visit,filter&ccd=0` (registry values, as `queryMetadata`: a list of values for
 * one key, of tuples for several; the other parameters are the partial data id).
 *
 * @packageDocumentation
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { UsageError } from "../../errors.js";
import type { ServerContext } from "../server-context.js";

type TypeRequest = FastifyRequest<{ Params: { repo: string; type: string }; Querystring: Record<string, string | string[]> }>;

/** Registers the catalog routes. */
export function catalogRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/api/v1/repos/:repo/types", async (req: FastifyRequest<{ Params: { repo: string } }>) => {
    ctx.access.require(req.headers, "read", `dataset types of repo "${req.params.repo}"`);
    return (await ctx.repos.get(req.params.repo).butler()).getDatasetTypes();
  });

  app.get("/api/v1/repos/:repo/keys/:type", async (req: TypeRequest) => {
    const { repo, type } = req.params;
    ctx.access.require(req.headers, "read", `keys of "${type}" in repo "${repo}"`);
    return (await ctx.repos.get(repo).butler()).getKeys(type);
  });

  app.get("/api/v1/repos/:repo/query/:type", async (req: TypeRequest) => {
    const { repo, type } = req.params;
    ctx.access.require(req.headers, "read", `querying "${type}" in repo "${repo}"`);
    const { keys, ...dataId } = req.query;
    const names = typeof keys === "string" ? keys.split(",").map((k) => k.trim()).filter((k) => k !== "") : [];
    if (names.length === 0) throw new UsageError("give the keys to report: ?keys=visit,filter (the other parameters restrict the data id)");
    return (await ctx.repos.get(repo).butler()).queryMetadata(type, names, dataId);
  });
}

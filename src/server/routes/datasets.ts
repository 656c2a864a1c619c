/**
 * Datasets over HTTP, by type and data id (the query string):
 * `GET|HEAD|PUT /api/v1/repos/NAME/datasets/TYPE?visit=1&ccd=0`. GET serves the stored bytes of the
 * dataset as the Butler finds it — in the repository or its parents, a compressed copy included —
 * with the formatter's media type (`application/fits`), `Range`, `ETag` and `If-None-Match` as the
 * object routes. PUT stores the body as the dataset once its formatter checked it (a FITS dataset
 * must parse as FITS): a body that fails, is too large or is cut short stores nothing.
 *
 * @packageDocumentation
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { DataIdInput } from "../../butler/butler.js";
import { receiveBody } from "../object-body.js";
import { sendBytes } from "../send-bytes.js";
import type { ServerContext } from "../server-context.js";

type DatasetRequest = FastifyRequest<{ Params: { repo: string; type: string }; Querystring: DataIdInput }>;

/** A header value of JSON, non-ASCII escaped (header values are Latin-1). */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Registers the dataset routes. */
export function datasetRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const url = "/api/v1/repos/:repo/datasets/:type";

  const serve = async (req: DatasetRequest, reply: FastifyReply, withBody: boolean): Promise<unknown> => {
    const { repo, type } = req.params;
    ctx.access.require(req.headers, "read", `reading "${type}" in repo "${repo}"`);
    const stored = await (await ctx.repos.get(repo).butler()).openStored(type, { ...req.query });
    reply.header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(stored.name)}`);
    reply.header("x-skybutler-data-id", asciiJson(stored.dataId));
    return sendBytes(req, reply, stored, ctx.gate, withBody);
  };
  app.get(url, (req: DatasetRequest, reply) => serve(req, reply, true));
  app.head(url, (req: DatasetRequest, reply) => serve(req, reply, false));

  app.put(url, async (req: DatasetRequest, reply) => {
    const { repo, type } = req.params;
    ctx.access.require(req.headers, "write", `writing "${type}" in repo "${repo}"`);
    const butler = await ctx.repos.get(repo).butler();
    let dataId: unknown;
    const bytes = await receiveBody(req, reply, ctx, async (body) => {
      dataId = await butler.putStored(body, type, { ...req.query });
    });
    return reply.code(201).send({ datasetType: type, dataId, bytes });
  });
}

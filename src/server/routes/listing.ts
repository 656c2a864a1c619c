/**
 * Listing over HTTP: `GET /api/v1/repos/NAME/objects?prefix=P&shallow=1`, streamed as NDJSON — one
 * JSON string per key, in the storage's order — so a listing of a million keys costs the server
 * no memory. The first key is fetched before the status is sent (a refused or malformed listing
 * is a proper 4xx); a failure later ends the stream with one `{"error": {code, message}}` line.
 *
 * @packageDocumentation
 */
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { normalizePrefix } from "../../storage/keys.js";
import { errorReply } from "../error-reply.js";
import type { ServerContext } from "../server-context.js";

type ListRequest = FastifyRequest<{ Params: { repo: string }; Querystring: { prefix?: string; shallow?: string } }>;

/** Registers the listing route. */
export function listingRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/api/v1/repos/:repo/objects", async (req: ListRequest, reply) => {
    const repo = req.params.repo;
    ctx.access.require(req.headers, "read", `listing repo "${repo}"`);
    const storage = ctx.repos.get(repo).storage;
    const prefix = normalizePrefix(req.query.prefix ?? "");
    const shallow = req.query.shallow === "1" || req.query.shallow === "true";
    const keys = storage.list({ prefix, shallow })[Symbol.asyncIterator]();
    const first = await keys.next();
    const log = (err: unknown): void => req.log.error({ err }, "listing failed");
    async function* lines(): AsyncGenerator<string> {
      try {
        for (let item = first; item.done !== true; item = await keys.next()) yield `${JSON.stringify(item.value)}\n`;
      } catch (err) {
        yield `${JSON.stringify({ error: errorReply(err, ctx.redactor, log).body })}\n`;
      }
    }
    return reply.header("content-type", "application/x-ndjson; charset=utf-8").send(Readable.from(lines()));
  });
}

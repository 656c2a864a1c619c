/**
 * What a server serves: `GET /api/v1/repos` (names and capabilities) and `GET /api/v1/repos/NAME`
 * (what a client needs to open it: the capabilities of its storage, whether it is read-only), and
 * `GET /api/v1/repos/NAME/statistics[?count=1]` (its storage's statistics, as `Storage.statistics`).
 *
 * @packageDocumentation
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ServerContext } from "../server-context.js";

/** Registers the repository routes. */
export function repoRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const describe = (name: string) => {
    const { storage } = ctx.repos.get(name);
    // the client reaches objects over HTTP: never a local path; metadata is not carried (yet)
    return { name, capabilities: { localPath: false, metadata: false, rangedRead: true }, readOnly: ctx.access.readOnly, backend: storage.scheme };
  };
  app.get("/api/v1/repos", async (req) => {
    ctx.access.require(req.headers, "read", "listing repositories");
    return { repos: ctx.repos.names().map(describe) };
  });
  app.get("/api/v1/repos/:repo", async (req: FastifyRequest<{ Params: { repo: string } }>) => {
    ctx.access.require(req.headers, "read", `opening repo "${req.params.repo}"`);
    return describe(req.params.repo);
  });
  app.get("/api/v1/repos/:repo/statistics", async (req: FastifyRequest<{ Params: { repo: string }; Querystring: { count?: string } }>) => {
    ctx.access.require(req.headers, "read", `statistics of repo "${req.params.repo}"`);
    const { storage } = ctx.repos.get(req.params.repo);
    return storage.statistics({ count: req.query.count === "1" || req.query.count === "true" });
  });
}

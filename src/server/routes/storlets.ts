/**
 * Deploying storlets to a skybutler server (admin tokens only: deploying is running code on the
 * server): `PUT /api/v1/storlets/storlet/NAME` and `PUT /api/v1/storlets/dependency/NAME` with
 * upstream's registration headers (the same checks and 400 messages as the Swift gateway),
 * `DELETE` likewise, `GET /api/v1/storlets` lists what can run (deployed and shipped), and
 * `POST /api/v1/repos/NAME/storlets` with `X-Storlet-Enabled: true|false` turns storlets on for a
 * repository (upstream's account switch).
 *
 * @packageDocumentation
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { UsageError } from "../../errors.js";
import type { ServerContext } from "../server-context.js";

type StoreRequest = FastifyRequest<{ Params: { container: string; "*": string } }>;

/** Registers the storlet deployment routes. */
export function storletRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = () => {
    if (ctx.storletStore === undefined) throw new UsageError("this server runs no storlets");
    return ctx.storletStore;
  };
  app.put("/api/v1/storlets/:container/*", async (req: StoreRequest, reply) => {
    const name = req.params["*"];
    ctx.access.require(req.headers, "admin", `deploying ${req.params.container}/${name}`);
    await store().put(req.params.container, name, req.headers, req.raw);
    return reply.code(201).send({ container: req.params.container, name });
  });
  app.delete("/api/v1/storlets/:container/*", async (req: StoreRequest, reply) => {
    ctx.access.require(req.headers, "admin", `removing ${req.params.container}/${req.params["*"]}`);
    await store().delete(req.params.container, req.params["*"]);
    return reply.code(204).send();
  });
  app.get("/api/v1/storlets", async (req) => {
    ctx.access.require(req.headers, "read", "listing storlets");
    return { storlets: await store().list(), enabled: ctx.repos.names().filter((n) => store().enabled(n)) };
  });
  app.post("/api/v1/repos/:repo/storlets", async (req: FastifyRequest<{ Params: { repo: string } }>, reply) => {
    ctx.access.require(req.headers, "admin", `turning storlets on or off for repo "${req.params.repo}"`);
    ctx.repos.get(req.params.repo);
    const value = String(req.headers["x-storlet-enabled"] ?? "").trim().toLowerCase();
    if (!["true", "false"].includes(value)) throw new UsageError("send X-Storlet-Enabled: true or false");
    await store().setEnabled(req.params.repo, value === "true");
    return reply.code(204).send();
  });
}

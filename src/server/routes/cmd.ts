/**
 * pfstorage's endpoint: `POST /api/v1/cmd` with the message as the body — JSON or form data,
 * bare or as `{"payload": …}`, whatever the Content-Type (pfurl sends
 * `application/x-www-form-urlencoded` with a JSON body). The answer is pfstorage's result as
 * `application/json` with a real status line: 200, or the status of the error's code with
 * `{status: false, msg, code}`. Other methods get 405.
 *
 * @packageDocumentation
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ButlerError, UsageError } from "../../errors.js";
import { parseMessage } from "../../pfstorage/message.js";
import { LocalArea, type PfContext } from "../../pfstorage/pf-context.js";
import { runMessage } from "../../pfstorage/run-message.js";
import type { Storage } from "../../storage/index.js";
import { statusOfCode } from "../error-reply.js";
import { readSmallBody } from "../request-body.js";
import type { ServerContext } from "../server-context.js";

/** Registers `/api/v1/cmd`. */
export function cmdRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const local = ctx.dataRoot === undefined ? undefined : new LocalArea(ctx.dataRoot, true);

  app.post("/api/v1/cmd", async (req: FastifyRequest, reply: FastifyReply) => {
    let status = 200;
    let result: Record<string, unknown>;
    try {
      const text = await readSmallBody(req.raw, ctx.limits.maxJsonBytes);
      const msg = parseMessage(text);
      const pf: PfContext = {
        mode: "server",
        local,
        jobs: 8,
        authorize: (scope, what) => ctx.access.require(req.headers, scope, what),
        storage: async (meta) => pickStorage(ctx, meta),
      };
      const outcome = await runMessage(msg, pf, (t) => ctx.redactor.clean(t));
      result = outcome.result;
      if (outcome.error !== undefined) status = statusOfCode(outcome.error.code);
    } catch (err) {
      if (!(err instanceof ButlerError)) throw err;
      if (err.code === "E_TOO_LARGE") reply.header("connection", "close");
      status = statusOfCode(err.code);
      result = { status: false, msg: ctx.redactor.clean(err.message), code: err.code };
    }
    if (status === 401) reply.header("www-authenticate", 'Bearer realm="skybutler"');
    // the whole text is cleaned: per-file messages inside `errors` may name server paths too
    return reply.code(status).header("content-type", "application/json; charset=utf-8").send(ctx.redactor.clean(JSON.stringify(result)));
  });

  app.route({
    method: ["GET", "PUT", "DELETE", "PATCH", "HEAD"],
    url: "/api/v1/cmd",
    handler: async (req, reply) => {
      reply.header("allow", "POST");
      const body = { status: false, msg: `use POST for /api/v1/cmd (got ${req.method})`, code: "E_USAGE" };
      return reply.code(405).send(body);
    },
  });
}

/**
 * The storage a message acts on: `meta.repo`, else the server's default.
 * @throws NotFoundError for an unknown repo; UsageError when the server has none
 */
function pickStorage(ctx: ServerContext, meta: Readonly<Record<string, unknown>>): Storage {
  if (typeof meta.repo === "string") return ctx.repos.get(meta.repo).storage;
  const storage = ctx.cmdStorage();
  if (storage === undefined) throw new UsageError("this server has no storage for /api/v1/cmd: start it with --repo NAME=URI or --storage URI");
  return storage;
}

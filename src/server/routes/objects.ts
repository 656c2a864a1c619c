/**
 * The Storage contract over HTTP, one object at a time:
 * `GET|HEAD|PUT|DELETE /api/v1/repos/NAME/objects/KEY`. Bodies stream both ways; GET honours
 * `Range` (206, 416), `If-None-Match` (304) and `If-Match` (412 `E_CHANGED` for another version; the
 * bytes are read pinned to the version checked); PUT honours `If-None-Match: *` (only if absent),
 * `Content-MD5` (checked before the object is published) and `X-Copy-From: KEY` (a server-side copy).
 *
 * @packageDocumentation
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { UsageError } from "../../errors.js";
import { contentTypeOf } from "../../storage/content-types.js";
import { normalizeKey } from "../../storage/keys.js";
import type { ByteRange } from "../../storage/index.js";
import { receiveBody } from "../object-body.js";
import { sendBytes } from "../send-bytes.js";
import type { ServerContext } from "../server-context.js";
import { runStorletHeader } from "../storlet-headers.js";
import { storletObjectGet, storletObjectPut } from "./object-storlets.js";

type ObjectRequest = FastifyRequest<{ Params: { repo: string; "*": string } }>;

/** Repository, key (validated) and the operation's description for messages. */
function target(req: ObjectRequest): { repo: string; key: string } {
  return { repo: req.params.repo, key: normalizeKey(req.params["*"]) };
}

/** Registers the object routes. */
export function objectRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const url = "/api/v1/repos/:repo/objects/*";

  const serve = async (req: ObjectRequest, reply: FastifyReply, withBody: boolean): Promise<unknown> => {
    const { repo, key } = target(req);
    ctx.access.require(req.headers, "read", `reading "${key}" in repo "${repo}"`);
    const storage = ctx.repos.get(repo).storage;
    const info = await storage.stat(key);
    const bytes = { ...info, mediaType: contentTypeOf(key), open: (range?: ByteRange) => storage.readStream(key, range) };
    return sendBytes(req, reply, bytes, ctx.gate, withBody);
  };

  // X-Run-Storlet (upstream Storlets' header): GET and PUT run the storlet; other verbs are refused
  const storletOf = (req: ObjectRequest): string | undefined => runStorletHeader(req.headers);
  const refuseStorlet = (req: ObjectRequest, reply: FastifyReply): FastifyReply | undefined =>
    storletOf(req) === undefined ? undefined : reply.code(405).header("allow", "GET, PUT").send({ code: "E_USAGE", message: `${req.method} is not supported with X-Run-Storlet` });
  app.get(url, (req: ObjectRequest, reply) => {
    const storlet = storletOf(req);
    return storlet === undefined ? serve(req, reply, true) : storletObjectGet(ctx, req, reply, storlet);
  });
  app.head(url, (req: ObjectRequest, reply) => refuseStorlet(req, reply) ?? serve(req, reply, false));

  app.put(url, async (req: ObjectRequest, reply) => {
    const storlet = storletOf(req);
    if (storlet !== undefined) return storletObjectPut(ctx, req, reply, storlet);
    const { repo, key } = target(req);
    ctx.access.require(req.headers, "write", `writing "${key}" in repo "${repo}"`);
    const storage = ctx.repos.get(repo).storage;
    const ifAbsent = ifAbsentOf(req.headers["if-none-match"]);
    const copyFrom = req.headers["x-copy-from"];
    if (typeof copyFrom === "string") {
      await storage.copy(decodeURIComponent(copyFrom), key, { ifAbsent });
      return reply.code(201).send({ key });
    }
    const bytes = await receiveBody(req, reply, ctx, (body) => storage.writeStream(key, body, { ifAbsent }));
    return reply.code(201).send({ key, bytes });
  });

  app.delete(url, async (req: ObjectRequest, reply) => {
    if (refuseStorlet(req, reply) !== undefined) return reply;
    const { repo, key } = target(req);
    ctx.access.require(req.headers, "write", `deleting "${key}" in repo "${repo}"`);
    await ctx.repos.get(repo).storage.delete(key);
    return reply.code(204).send();
  });
}

/**
 * `If-None-Match: *` on a PUT means "only if absent"; no header means "replace".
 * @throws UsageError for any other value (a PUT cannot be conditional on an ETag here)
 */
function ifAbsentOf(header: string | undefined): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  throw new UsageError('a PUT accepts only "If-None-Match: *" (write only if absent)');
}

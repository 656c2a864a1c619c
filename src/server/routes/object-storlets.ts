/**
 * `X-Run-Storlet` on skybutler's object API (`/api/v1/repos/NAME/objects/KEY`), with the headers
 * and rules of upstream's protocol as the Swift gateway has them: GET runs the storlet on the
 * object (`X-Storlet-Range`, `X-Storlet-Extra-Resources: /dir/key,…` of the same repository,
 * parameters from the query and `X-Storlet-Parameter-N`) and streams its output chunked; PUT runs
 * it on the body (or, with `X-Copy-From: KEY`, on that object) and stores the output. Errors are
 * the server's `{code, message}`: 400 for a disabled repository or a bad header, 401 for an
 * unknown storlet, 503 (GET) or 500 (PUT) when it fails before its first byte; a failure after the
 * first byte cuts the response, and a PUT stores nothing.
 *
 * @packageDocumentation
 */
import type { ServerResponse } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AuthError, StorletError, UsageError } from "../../errors.js";
import { normalizeKey } from "../../storage/keys.js";
import type { Storage } from "../../storage/index.js";
import { storageInput, streamInput, type StorletInput } from "../../storlets/storlet-input.js";
import { inputMetadata, metadataHeaders, titleCased } from "../../storlets/storlet-metadata.js";
import type { StorletOutput } from "../../storlets/storlet-process.js";
import { resolveStorletRange } from "../../storlets/storlet-range.js";
import { readStorletRequest, type StorletRequest } from "../storlet-headers.js";
import type { ServerContext } from "../server-context.js";
import { errorReply } from "../error-reply.js";

type ObjectRequest = FastifyRequest<{ Params: { repo: string; "*": string } }>;

const NO_ACCESS = "Failed to verify access to the storlet. Either the storlet does not exist or you are not authorized to run the storlet.";

function queryOf(url: string): string {
  const at = url.indexOf("?");
  return at < 0 ? "" : url.slice(at + 1);
}

/** The storlet request, after the repository and storlet checks. */
async function prepare(ctx: ServerContext, req: ObjectRequest, repo: string, storlet: string) {
  const store = ctx.storletStore;
  const service = ctx.storlets;
  if (store === undefined || service === undefined || !store.enabled(repo)) throw new UsageError("Account disabled for storlets");
  const sreq = readStorletRequest(storlet, queryOf(req.url), req.headers, service.maxExtraResources);
  const found = await store.find(storlet);
  if (found === undefined) throw new AuthError(NO_ACCESS);
  const code = await service.code("skybutler", found.deployment, found.storlet, (name) => found.dependency(name));
  return { sreq, code, service, storage: ctx.repos.get(repo).storage };
}

async function objectInput(storage: Storage, key: string, range?: StorletRequest["range"]): Promise<{ input: StorletInput; modified: Date; inputRange?: string } | "unsatisfiable"> {
  const info = await storage.stat(key);
  const metadata = storage.capabilities.metadata && storage.getMetadata !== undefined ? titleCased(await storage.getMetadata(key)) : {};
  if (range === undefined) return { input: storageInput(storage, key, info.size, metadata), modified: info.modified };
  const resolved = resolveStorletRange(range, info.size);
  if (resolved === "unsatisfiable") return "unsatisfiable";
  const length = resolved.length ?? info.size - resolved.offset;
  return { input: storageInput(storage, key, info.size, metadata, resolved), modified: info.modified, inputRange: `bytes ${resolved.offset}-${resolved.offset + length - 1}/${info.size}` };
}

async function extraInputs(storage: Storage, sreq: StorletRequest): Promise<StorletInput[]> {
  const out: StorletInput[] = [];
  for (const [dir, rest] of sreq.extras) {
    const opened = await objectInput(storage, normalizeKey(`${dir}/${rest}`));
    if (opened === "unsatisfiable") throw new UsageError("an extra resource cannot have a range");
    out.push(opened.input);
  }
  return out;
}

/** Sends an error as the server does (`{code, message}`), with a chosen status. */
function fail(ctx: ServerContext, reply: FastifyReply, err: unknown, status: number): FastifyReply {
  const { body } = errorReply(err, ctx.redactor, (e) => reply.log.error({ err: e }, "storlet failed"));
  return reply.code(status).header("x-skybutler-error", body.code).send(body);
}

/** GET with `X-Run-Storlet`. */
export async function storletObjectGet(ctx: ServerContext, req: ObjectRequest, reply: FastifyReply, storlet: string): Promise<unknown> {
  const repo = req.params.repo;
  const key = normalizeKey(req.params["*"]);
  ctx.access.require(req.headers, "read", `running storlet ${storlet} on "${key}" in repo "${repo}"`);
  const { sreq, code, service, storage } = await prepare(ctx, req, repo, storlet);
  const opened = await objectInput(storage, key, sreq.range);
  if (opened === "unsatisfiable") return reply.code(416).send({ code: "E_USAGE", message: "X-Storlet-Range does not overlap the object" });
  const extras = await extraInputs(storage, sreq);
  let output: StorletOutput;
  try {
    output = await service.runner.run({ key: `${repo}/${storlet}`, code, inputs: [opened.input, ...extras], params: sreq.params });
  } catch (err) {
    if (err instanceof StorletError) return fail(ctx, reply, err, 503);
    throw err;
  }
  const merged = metadataHeaders(output.metadata, storlet);
  const headers: Record<string, string> = { "last-modified": opened.modified.toUTCString(), ...prefixed(opened.input.metadata), ...merged.meta, "content-type": merged.contentType ?? "application/octet-stream" };
  if (opened.inputRange !== undefined) headers["storlet-input-range"] = opened.inputRange;
  reply.hijack();
  const res: ServerResponse = reply.raw;
  res.writeHead(200, headers);
  output.body.on("error", (err) => {
    reply.log.error({ err }, `storlet ${storlet} failed after its first byte`);
    res.destroy(err);
  });
  res.on("close", () => {
    if (!output.body.readableEnded) output.body.destroy();
  });
  output.body.pipe(res);
  return reply;
}

function prefixed(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [`x-object-meta-${k.toLowerCase()}`, v]));
}

/** PUT with `X-Run-Storlet` (with `X-Copy-From: KEY`: a copy through the storlet). */
export async function storletObjectPut(ctx: ServerContext, req: ObjectRequest, reply: FastifyReply, storlet: string): Promise<unknown> {
  const repo = req.params.repo;
  const key = normalizeKey(req.params["*"]);
  ctx.access.require(req.headers, "write", `storing "${key}" through storlet ${storlet} in repo "${repo}"`);
  const { sreq, code, service, storage } = await prepare(ctx, req, repo, storlet);
  const copyFrom = req.headers["x-copy-from"];
  let first: StorletInput;
  let generated: Record<string, string> = {};
  if (typeof copyFrom === "string") {
    const source = normalizeKey(decodeURIComponent(copyFrom));
    const opened = await objectInput(storage, source, sreq.range);
    if (opened === "unsatisfiable") return reply.code(416).send({ code: "E_USAGE", message: "X-Storlet-Range does not overlap the object" });
    first = opened.input;
    generated = { "x-storlet-generated-from": source, "x-storlet-generated-from-account": repo, "x-storlet-generated-from-last-modified": opened.modified.toUTCString() };
  } else {
    const length = req.headers["content-length"];
    first = streamInput(req.raw, inputMetadata(req.headers), length === undefined ? undefined : Number(length));
  }
  const extras = await extraInputs(storage, sreq);
  let output: StorletOutput;
  try {
    output = await service.runner.run({ key: `${repo}/${storlet}`, code, inputs: [first, ...extras], params: sreq.params });
  } catch (err) {
    if (err instanceof StorletError) return fail(ctx, reply, err, 500);
    throw err;
  }
  try {
    // a storlet failing after its first byte fails the source of writeStream: nothing is published
    await storage.writeStream(key, output.body);
  } catch (err) {
    if (err instanceof StorletError) return fail(ctx, reply, err, 500);
    throw err;
  }
  const merged = metadataHeaders(output.metadata, storlet);
  if (storage.capabilities.metadata && storage.setMetadata !== undefined) {
    const md = { ...lowerKeys(first.metadata), ...Object.fromEntries(Object.entries(merged.meta).map(([k, v]) => [k.slice("x-object-meta-".length), v])) };
    await storage.setMetadata(key, md);
  }
  for (const [name, value] of Object.entries(generated)) reply.header(name, value);
  return reply.code(201).send({ key, storlet, metadata: output.metadata });
}

function lowerKeys(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
}

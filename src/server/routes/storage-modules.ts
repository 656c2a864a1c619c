/**
 * The admin API of storage modules (Mezeo's `vendor_modules`), scope `admin`:
 *
 * - `GET /api/v1/system/storage-modules` → `{file, modules: [{name, module, description?, args?}]}`
 * - `GET /api/v1/system/storage-modules/NAME` → `{name, module, description?, args?}` (404)
 * - `PUT /api/v1/system/storage-modules/NAME` with `{"module", "description", "args"}` → 204,
 *   written to the server's `storage-modules.yaml` atomically under its lock (400 for a bad body,
 *   409 for a name that is a built-in scheme)
 * - `DELETE /api/v1/system/storage-modules/NAME` → 204 (404; 409 while another module wraps it or a
 *   served repository uses it)
 *
 * Secret-looking args are answered as `***`, and a PUT that sends `***` back keeps the stored value.
 *
 * @packageDocumentation
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ConfigError, UsageError } from "../../errors.js";
import { errorFromCode } from "../../error-from-code.js";
import {
  addStorageModule,
  keepRedactedSecrets,
  listStorageModules,
  modulesOver,
  readStorageModules,
  registeredSchemes,
  removeStorageModule,
  storageModulesPath,
  validateModuleEntry,
  type StorageModuleEntry,
} from "../../storage/index.js";
import { readSmallBody } from "../request-body.js";
import type { ServerContext } from "../server-context.js";

type NameRequest = FastifyRequest<{ Params: { name: string } }>;

/** A refusal that is about the state of the configuration, not the request's form. */
function conflict(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(409).header("x-skybutler-error", "E_CONFIG").send({ code: "E_CONFIG", message });
}

/**
 * The entry a PUT body describes.
 * @throws UsageError (400) when it is not JSON or not a valid entry
 */
function parseEntry(name: string, text: string): StorageModuleEntry {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UsageError(`the body must be JSON: {"module": "package#Export" or "skybutler:<wrapper>", "description": "…", "args": {…}}`);
  }
  try {
    return validateModuleEntry(name, body, "the request body");
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** Registers the storage-module routes. */
export function storageModuleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const base = "/api/v1/system/storage-modules";
  const file = storageModulesPath();
  ctx.redactor.add(file, "the storage modules file");
  const missing = (name: string): Error => errorFromCode("E_NOT_FOUND", `no storage module "${name}" on this server; GET ${base} lists them`, { key: name });

  app.get(base, async (req) => {
    ctx.access.require(req.headers, "admin", "listing storage modules", false);
    const listed = await listStorageModules(file);
    return { modules: Object.keys(listed).sort().map((name) => ({ name, ...listed[name] })) };
  });

  app.get(`${base}/:name`, async (req: NameRequest) => {
    const { name } = req.params;
    ctx.access.require(req.headers, "admin", `reading storage module "${name}"`, false);
    const entry = (await listStorageModules(file))[name];
    if (entry === undefined) throw missing(name);
    return { name, ...entry };
  });

  app.put(`${base}/:name`, async (req: NameRequest, reply: FastifyReply) => {
    const { name } = req.params;
    ctx.access.require(req.headers, "admin", `configuring storage module "${name}"`);
    const entry = parseEntry(name, await readSmallBody(req.raw, ctx.limits.maxJsonBytes));
    if (registeredSchemes().includes(name)) return conflict(reply, `"${name}" is a built-in URI scheme; choose another storage module name`);
    const previous = (await readStorageModules(file))[name];
    if (entry.args !== undefined && previous?.args !== undefined) entry.args = keepRedactedSecrets(entry.args, previous.args) as Record<string, unknown>;
    await addStorageModule(name, entry, { file });
    return reply.code(204).send();
  });

  app.delete(`${base}/:name`, async (req: NameRequest, reply: FastifyReply) => {
    const { name } = req.params;
    ctx.access.require(req.headers, "admin", `removing storage module "${name}"`);
    const config = await readStorageModules(file);
    if (!Object.hasOwn(config, name)) throw missing(name);
    const wrappers = modulesOver(name, config);
    if (wrappers.length > 0) return conflict(reply, `storage module "${name}" is wrapped by ${wrappers.map((w) => `"${w}"`).join(", ")}; remove those first`);
    const serving = ctx.repos.names().filter((repo) => ctx.repos.get(repo).storage.scheme === name);
    if (serving.length > 0) return conflict(reply, `storage module "${name}" holds the served repositories ${serving.map((r) => `"${r}"`).join(", ")}; stop serving them first`);
    if (!(await removeStorageModule(name, { file }))) throw missing(name);
    return reply.code(204).send();
  });
}

/**
 * The repository browser: `GET /` is its page, `GET /browser/FILE` its scripts, style sheet and
 * icon — plain files under `src/server/browser/` (copied beside the build by
 * `scripts/copy-assets.mjs`), nothing from elsewhere. They hold no data, so they need no token; the
 * page reads everything through the read-scoped `/browse/` routes. A strict Content-Security-Policy
 * lets the page run only its own scripts, and (Trusted Types) forbids HTML built from strings:
 * user data reaches the page as text nodes only.
 *
 * @packageDocumentation
 */
import { readFile } from "node:fs/promises";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errorFromCode } from "../../error-from-code.js";
import type { ServerContext } from "../server-context.js";

/** The policy of the page and its files. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

/** The files of the page and their media types: nothing else is served from the folder. */
const FILES: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "api.js": "text/javascript; charset=utf-8",
  "dom.js": "text/javascript; charset=utf-8",
  "views.js": "text/javascript; charset=utf-8",
  "viewer.js": "text/javascript; charset=utf-8",
  "tables.js": "text/javascript; charset=utf-8",
  "icon.svg": "image/svg+xml",
};

const FOLDER = new URL("../browser/", import.meta.url);

/** Registers the page and its files. */
export function browserPageRoutes(app: FastifyInstance, _ctx: ServerContext): void {
  // read once, on first use: a few tens of KiB in all
  const cache = new Map<string, Promise<Buffer>>();
  const send = async (name: string, reply: FastifyReply) => {
    const type = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (type === undefined) throw errorFromCode("E_NOT_FOUND", `the browser has no file "${name}"`, { key: name });
    let body = cache.get(name);
    if (body === undefined) {
      body = readFile(new URL(name, FOLDER));
      cache.set(name, body);
      body.catch(() => cache.delete(name));
    }
    return reply
      .header("content-type", type)
      .header("content-security-policy", PAGE_CSP)
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "no-referrer")
      .header("cross-origin-opener-policy", "same-origin")
      .header("cache-control", "no-cache")
      .send(await body);
  };
  app.get("/", (_req, reply) => send("index.html", reply));
  app.get("/browser/:file", (req: FastifyRequest<{ Params: { file: string } }>, reply) => send(req.params.file, reply));
}

/**
 * `skybutler storlet deploy`: uploads a storlet and its dependencies as upstream's protocol wants
 * them — objects in containers `storlet` and `dependency` of a Swift account (directly, or through
 * skybutler's gateway, which checks the registration), or to a skybutler server's storlet API
 * (admin token).
 *
 * @packageDocumentation
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Agent, request } from "undici";
import { AuthError, ConfigError, PermissionDeniedError, StorageError, UsageError } from "../errors.js";
import { errorFromCode } from "../error-from-code.js";
import { authenticateKeystone } from "../storage/swift/auth-keystone.js";
import { authenticateV1 } from "../storage/swift/auth-v1.js";
import { resolveCredentials } from "../storage/swift/credentials.js";
import { parseSwiftUri } from "../storage/swift/swift-uri.js";
import { parseHttpUri } from "../storage/http/http-uri.js";
import { dependencyRegistrationHeaders, DEPENDENCY_CONTAINER, STORLET_CONTAINER, storletRegistrationHeaders } from "./deployment.js";
import type { StorletCode } from "./storlet-process.js";

/** What was uploaded. */
export interface DeployReport {
  /** URLs (without credentials) of the objects written, storlet first. */
  objects: string[];
}

/** Options of {@link deployStorlet}. */
export interface DeployOptions {
  /** Environment for credentials (ST_AUTH/ST_USER/ST_KEY, OS_*, SKYBUTLER_TOKEN); default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Deploys a storlet to `target`: a `swift://…` URI (the account of its credentials) or a
 * `skybutler+http(s)://HOST:PORT[/…]` server.
 * @throws UsageError (400: the registration was refused, with the server's message), AuthError,
 *   PermissionDeniedError, ConfigError for missing credentials or another scheme, StorageError
 */
export async function deployStorlet(code: StorletCode, target: string, options: DeployOptions = {}): Promise<DeployReport> {
  const env = options.env ?? process.env;
  const files = [
    { container: STORLET_CONTAINER, name: code.storlet.name, path: code.storlet.path, headers: storletRegistrationHeaders({ language: code.language, main: code.main, dependencies: code.dependencies.map((d) => d.name) }) },
    ...code.dependencies.map((d) => ({ container: DEPENDENCY_CONTAINER, name: d.name, path: d.path, headers: dependencyRegistrationHeaders(d.mode & 0o777) })),
  ];
  const agent = new Agent({ connectTimeout: 10_000, headersTimeout: 60_000, bodyTimeout: 60_000 });
  try {
    let base: string;
    let auth: Record<string, string>;
    if (/^swift:/i.test(target)) {
      const root = parseSwiftUri(target);
      const credentials = resolveCredentials({}, env, root.endpoint);
      const session = credentials.version === 1 ? await authenticateV1(credentials, agent) : await authenticateKeystone(credentials, agent);
      base = session.storageUrl;
      auth = { "x-auth-token": session.token };
      // the containers are made on first deployment, as upstream's tools expect them to exist
      for (const container of [STORLET_CONTAINER, ...(code.dependencies.length > 0 ? [DEPENDENCY_CONTAINER] : [])]) {
        const res = await request(`${base}/${container}`, { method: "PUT", headers: auth, dispatcher: agent });
        await res.body.dump();
        if (res.statusCode >= 300) throw failure(res.statusCode, `creating container ${container}`, "");
      }
    } else if (/^skybutler\+https?:/i.test(target)) {
      const root = parseHttpUri(target);
      base = `${root.base}/api/v1/storlets`;
      const token = env.SKYBUTLER_TOKEN;
      if (token === undefined || token === "") throw new ConfigError("deploying to a skybutler server needs an admin token: set SKYBUTLER_TOKEN");
      auth = { authorization: `Bearer ${token}` };
    } else {
      throw new ConfigError(`deploy to a swift:// account or a skybutler+http:// server, not "${target}"`);
    }
    const objects: string[] = [];
    for (const file of files) {
      const size = (await stat(file.path)).size;
      const url = `${base}/${file.container}/${encodeURIComponent(file.name)}`;
      const res = await request(url, {
        method: "PUT",
        headers: { ...auth, ...file.headers, "content-length": String(size) },
        body: createReadStream(file.path),
        dispatcher: agent,
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw failure(res.statusCode, `uploading ${file.container}/${file.name}`, text);
      objects.push(url);
    }
    return { objects };
  } finally {
    await agent.close();
  }
}

/** The error for a refused upload: upstream's 400 message, or the class of the status. */
function failure(status: number, what: string, body: string): Error {
  let message = body.trim().slice(0, 300);
  try {
    const parsed = JSON.parse(body) as { code?: string; message?: string };
    if (typeof parsed.code === "string" && typeof parsed.message === "string") return errorFromCode(parsed.code, `${what}: ${parsed.message}`);
  } catch {
    // Swift answers in plain text
  }
  message = message.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  if (status === 400) return new UsageError(`${what} was refused: ${message}`);
  if (status === 401) return new AuthError(`${what}: the credentials were refused (HTTP 401)`);
  if (status === 403) return Object.assign(new PermissionDeniedError(what, "the account"), { message: `${what}: not allowed (HTTP 403); deploying needs the account owner (Swift) or an admin token (skybutler)` });
  return new StorageError(`${what} failed: HTTP ${status}${message ? ` (${message})` : ""}`);
}

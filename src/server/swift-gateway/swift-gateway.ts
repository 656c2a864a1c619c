/**
 * `skybutler serve --swift-proxy URL`: a gateway in front of a real Swift that speaks upstream
 * OpenStack Storlets' protocol. `/auth/…`, `/info` and `/v1/…` are passed on with the caller's own
 * token (the storage URL handed out at auth points back here, so python-swiftclient works through
 * it unchanged); a request with `X-Run-Storlet` on an object runs the storlet next to the data:
 *
 * - GET: the object (`X-Storlet-Range`: a range of it; `X-Storlet-Extra-Resources`: more inputs)
 *   → the storlet → a chunked response carrying the object's headers and metadata merged with the
 *   storlet's (its `Content-Type` sets the response's);
 * - PUT: the request body → the storlet → the stored object;
 * - PUT with `X-Copy-From`, COPY with `Destination`: the source → the storlet → the destination,
 *   with `X-Storlet-Generated-From*` on the answer.
 *
 * Statuses are upstream's (400 with its messages, 401 when the storlet cannot be read with the
 * caller's token, 405, 412; 503 when a GET's storlet fails before its first byte, 500 for PUT and
 * copies), and so are the account switch (`X-Account-Meta-Storlet-Enabled`) and the deployment
 * checks on PUT/POST to containers `storlet` and `dependency`. Upstream's defects are fixed: a
 * failure after the first byte aborts the chunked response (a client sees an error, never a short
 * body), an open-ended or suffix `X-Storlet-Range` works, a stall is an error, and the stale ETag of
 * the untransformed object is not sent with a transformed body (python-swiftclient checks it).
 *
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { PassThrough, type Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Agent, type Dispatcher } from "undici";
import { StorletError, UsageError } from "../../errors.js";
import { DEPENDENCY_CONTAINER, registrationParams, STORLET_CONTAINER, validateDependencyRegistration, validateStorletRegistration, type StorletDeployment } from "../../storlets/deployment.js";
import { inputMetadata, metadataHeaders, OBJECT_META } from "../../storlets/storlet-metadata.js";
import type { StorletInput } from "../../storlets/storlet-input.js";
import type { StorletOutput } from "../../storlets/storlet-process.js";
import { rangeHeaderOf } from "../../storlets/storlet-range.js";
import { readStorletRequest, runStorletHeader, type StorletRequest } from "../storlet-headers.js";
import type { StorletService, DeployedObject } from "../storlet-service.js";
import { answer, header, passHeaders, relay, SwiftUpstream } from "./swift-upstream.js";

/** What the gateway works with. */
export interface SwiftGatewayContext {
  upstream: SwiftUpstream;
  storlets: StorletService;
  /** Logs a failure on the server (never sent to the client). */
  log(err: unknown, what: string): void;
}

/** A `/v1/ACCOUNT/CONTAINER/OBJECT` path, decoded. */
interface ObjectPath {
  account: string;
  container?: string;
  object?: string;
}

const UPSTREAM_MESSAGES = {
  disabled: "Account disabled for storlets",
  noAccess: "Failed to verify access to the storlet. Either the storlet does not exist or you are not authorized to run the storlet.",
  referer: "Referrer containing storlets is not allowed",
  execFailed: "Storlet execution failed",
};

/** Registers the gateway's routes (`/auth/*`, `/info`, `/v1/*`) on the app. */
export function swiftGatewayRoutes(app: FastifyInstance, gateway: SwiftGatewayContext): void {
  if (!app.supportedMethods.includes("COPY")) app.addHttpMethod("COPY", { hasBody: true });
  const methods = ["GET", "HEAD", "PUT", "POST", "DELETE", "COPY", "OPTIONS"];
  const handle = (kind: "auth" | "info" | "v1") => async (req: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    const res = reply.raw;
    try {
      if (/storlets/i.test(String(req.headers.referer ?? ""))) return answer(res, 403, UPSTREAM_MESSAGES.referer);
      if (kind === "auth") return await auth(gateway, req.raw, res);
      if (kind === "info") return await info(gateway, req.raw, res);
      return await v1(gateway, req.raw, res);
    } catch (err) {
      if (err instanceof UsageError) return answer(res, 400, err.message);
      gateway.log(err, `${req.method} ${req.url.split("?")[0]}`);
      return answer(res, 502, "the Swift proxy could not be reached");
    }
  };
  app.route({ method: methods, url: "/auth/*", handler: handle("auth") });
  app.route({ method: methods, url: "/info", handler: handle("info") });
  app.route({ method: methods, url: "/v1/*", handler: handle("v1") });
}

/** An undici pool for the gateway. */
export function gatewayDispatcher(): Dispatcher {
  return new Agent({ connectTimeout: 10_000, headersTimeout: 60_000, bodyTimeout: 60_000, keepAliveTimeout: 4_000 });
}

/** Auth is passed on; the storage URL it hands out is moved to this gateway. */
async function auth(gateway: SwiftGatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const upstream = await gateway.upstream.send(req.method!, req.url!, passHeaders(req.headers), bodyOf(req));
  const storageUrl = header(upstream.headers, "x-storage-url");
  const extra: Record<string, string> = {};
  const host = req.headers.host;
  if (storageUrl !== undefined && host !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(host)) {
    extra["x-storage-url"] = storageUrl.replace(/^https?:\/\/[^/]+/, `http://${host}`);
  }
  relay(res, upstream, extra);
}

/** `/info` gains upstream's `storlet_handler` section. */
async function info(gateway: SwiftGatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const upstream = await gateway.upstream.send(req.method!, req.url!, passHeaders(req.headers));
  if (req.method !== "GET" || upstream.statusCode !== 200) return relay(res, upstream);
  const body = (await upstream.body.json()) as Record<string, unknown>;
  body.storlet_handler = { storlet_container: STORLET_CONTAINER, storlet_dependency: DEPENDENCY_CONTAINER, storlet_gateway_class: "SkybutlerSandboxGateway", languages: ["Python", "JavaScript"] };
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": String(text.length) });
  res.end(text);
}

function bodyOf(req: IncomingMessage): Readable | undefined {
  const length = req.headers["content-length"];
  const chunked = req.headers["transfer-encoding"] !== undefined;
  return chunked || (length !== undefined && length !== "0") ? req : undefined;
}

function parsePath(url: string): ObjectPath {
  const path = url.split("?")[0]!;
  const parts = path.split("/").slice(2);
  const [account, container, ...rest] = parts.map((p, i) => (i < 2 ? safeDecode(p) : p));
  const object = rest.length > 0 ? safeDecode(rest.join("/")) : undefined;
  return { account: account ?? "", ...(container ? { container } : {}), ...(object ? { object } : {}) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const encodePath = (...segments: string[]): string => segments.map((s) => s.split("/").map(encodeURIComponent).join("/")).join("/");

async function v1(gateway: SwiftGatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = parsePath(req.url!);
  const method = req.method!;
  // upstream validates registrations on PUT and POST to the storlet and dependency containers
  if ((method === "PUT" || method === "POST") && path.object !== undefined && (path.container === STORLET_CONTAINER || path.container === DEPENDENCY_CONTAINER)) {
    const params = registrationParams(req.headers);
    if (path.container === STORLET_CONTAINER) validateStorletRegistration(params, path.object);
    else validateDependencyRegistration(params);
  }
  const storlet = runStorletHeader(req.headers);
  if (storlet === undefined || path.object === undefined) {
    const upstream = await gateway.upstream.send(method, req.url!, passHeaders(req.headers), bodyOf(req));
    return relay(res, upstream);
  }
  if (method !== "GET" && method !== "PUT" && method !== "COPY") return answer(res, 405, `${method} is not supported with X-Run-Storlet`, { allow: "GET, PUT, COPY" });
  if (method === "COPY" && req.headers.destination === undefined) return answer(res, 412, "Destination header required");
  for (const name of ["x-copy-from-account", "destination-account", "x-fresh-metadata"]) {
    if ((method === "COPY" || req.headers["x-copy-from"] !== undefined) && req.headers[name] !== undefined) {
      return answer(res, 400, `Storlet on copy with ${titleHeader(name)} is not supported`);
    }
  }
  const query = req.url!.includes("?") ? req.url!.slice(req.url!.indexOf("?") + 1) : "";
  const sreq = readStorletRequest(storlet, query, req.headers, gateway.storlets.maxExtraResources);
  const token = String(req.headers["x-auth-token"] ?? "");
  const flow = new StorletFlow(gateway, req, res, path as Required<ObjectPath>, sreq, token);
  const ready = await flow.checkAccess();
  if (!ready) return;
  if (method === "GET") return flow.get();
  if (method === "PUT" && req.headers["x-copy-from"] === undefined) return flow.put();
  return flow.copy();
}

function titleHeader(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

/** Values Swift reads as true (`config_true_value`). */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ["true", "1", "yes", "on", "t", "y"].includes(value.trim().toLowerCase());
}

/** One storlet request through the gateway. */
class StorletFlow {
  readonly #gateway: SwiftGatewayContext;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #path: Required<ObjectPath>;
  readonly #sreq: StorletRequest;
  readonly #token: string;
  #deployment: StorletDeployment | undefined;
  #storletObject: DeployedObject | undefined;
  /** Releases the bodies of opened inputs not handed to a storlet (a failure before it read them). */
  readonly #opened: Array<() => void> = [];

  constructor(gateway: SwiftGatewayContext, req: IncomingMessage, res: ServerResponse, path: Required<ObjectPath>, sreq: StorletRequest, token: string) {
    this.#gateway = gateway;
    this.#req = req;
    this.#res = res;
    this.#path = path;
    this.#sreq = sreq;
    this.#token = token;
  }

  #send(method: string, path: string, headers: Record<string, string> = {}, body?: Readable): Promise<Dispatcher.ResponseData> {
    return this.#gateway.upstream.send(method, path, { ...headers, ...(this.#token ? { "x-auth-token": this.#token } : {}) }, body);
  }

  #accountPath(...rest: string[]): string {
    return `/v1/${encodePath(this.#path.account, ...rest)}`;
  }

  /**
   * The account must have storlets enabled, and the storlet object must be readable with the
   * caller's token (upstream's HEAD). Answers and returns false when not.
   */
  async checkAccess(): Promise<boolean> {
    const account = await this.#send("HEAD", this.#accountPath());
    await account.body.dump();
    if (account.statusCode === 401) {
      answer(this.#res, 401, "Unauthorized: the token was refused");
      return false;
    }
    if (account.statusCode >= 200 && account.statusCode < 300) {
      if (!isTrue(header(account.headers, "x-account-meta-storlet-enabled"))) {
        answer(this.#res, 400, UPSTREAM_MESSAGES.disabled);
        return false;
      }
    } else if (account.statusCode !== 403) {
      answer(this.#res, account.statusCode === 404 ? 404 : 502, account.statusCode === 404 ? "Not Found: no such account" : "the account could not be read");
      return false;
    }
    // a user who may not HEAD the account (not its owner) still needs the storlet object to be readable
    const head = await this.#send("HEAD", this.#accountPath(STORLET_CONTAINER, this.#sreq.storlet));
    await head.body.dump();
    if (head.statusCode < 200 || head.statusCode >= 300) {
      answer(this.#res, 401, UPSTREAM_MESSAGES.noAccess);
      return false;
    }
    if (account.statusCode === 403) {
      answer(this.#res, 403, "Forbidden: the account's storlet setting cannot be read with this token");
      return false;
    }
    this.#deployment = validateStorletRegistration(registrationParams(head.headers), this.#sreq.storlet);
    this.#storletObject = this.#deployed(STORLET_CONTAINER, this.#sreq.storlet, head.headers, 0o400);
    return true;
  }

  #deployed(container: string, name: string, headers: Dispatcher.ResponseData["headers"], mode: number): DeployedObject {
    return {
      version: `${header(headers, "etag") ?? ""}/${header(headers, "x-timestamp") ?? ""}/${header(headers, "content-length") ?? ""}`,
      mode,
      open: async () => {
        const res = await this.#send("GET", this.#accountPath(container, name));
        if (res.statusCode !== 200) {
          await res.body.dump();
          throw new StorletError(`the deployed ${container}/${name} could not be read (HTTP ${res.statusCode})`);
        }
        return res.body;
      },
    };
  }

  async #code() {
    return this.#gateway.storlets.code(`${this.#gateway.upstream.origin}/v1/${this.#path.account}`, this.#deployment!, this.#storletObject!, async (name) => {
      const head = await this.#send("HEAD", this.#accountPath(DEPENDENCY_CONTAINER, name));
      await head.body.dump();
      if (head.statusCode !== 200) throw new StorletError(`the dependency ${name} of ${this.#deployment!.name} could not be read (HTTP ${head.statusCode})`);
      const mode = validateDependencyRegistration(registrationParams(head.headers));
      return this.#deployed(DEPENDENCY_CONTAINER, name, head.headers, mode);
    });
  }

  /**
   * Opens an object as an input: a GET (with the storlet range), and for seeks more ranged GETs
   * pinned to its ETag. Answers with Swift's status and returns undefined when it is not there.
   */
  async #objectInput(container: string, object: string, withRange: boolean): Promise<{ input: StorletInput; headers: Dispatcher.ResponseData["headers"] } | undefined> {
    const path = this.#accountPath(container, object);
    const range = withRange && this.#sreq.range !== undefined ? rangeHeaderOf(this.#sreq.range) : undefined;
    const res = await this.#send("GET", path, range === undefined ? {} : { range });
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      relay(this.#res, res);
      return undefined;
    }
    let start = 0;
    let length = Number(header(res.headers, "content-length") ?? NaN);
    const contentRange = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header(res.headers, "content-range") ?? "");
    if (res.statusCode === 206 && contentRange !== null) {
      start = Number(contentRange[1]);
      length = Number(contentRange[2]) - start + 1;
    }
    const etag = header(res.headers, "etag");
    let first: Readable | undefined = res.body;
    this.#opened.push(() => first?.destroy());
    const input: StorletInput = {
      metadata: inputMetadata(res.headers),
      ...(Number.isFinite(length) ? { size: length } : {}),
      seekable: Number.isFinite(length),
      open: async (offset) => {
        if (offset === 0 && first !== undefined) {
          const body = first;
          first = undefined;
          return body;
        }
        first?.destroy();
        first = undefined;
        if (offset >= length) return new PassThrough().end();
        const again = await this.#send("GET", path, { range: `bytes=${start + offset}-${start + length - 1}`, ...(etag === undefined ? {} : { "if-match": etag }) });
        if (again.statusCode !== 206 && again.statusCode !== 200) {
          await again.body.dump();
          throw new StorletError(`${container}/${object} changed or vanished while the storlet read it (HTTP ${again.statusCode})`);
        }
        return again.body;
      },
    };
    return { input, headers: res.headers };
  }

  /** The extra inputs (`X-Storlet-Extra-Resources`), each a GET; undefined when one failed (answered). */
  async #extras(): Promise<StorletInput[] | undefined> {
    const inputs: StorletInput[] = [];
    for (const [container, object] of this.#sreq.extras) {
      const opened = await this.#objectInput(container, object, false);
      if (opened === undefined) return undefined;
      inputs.push(opened.input);
    }
    return inputs;
  }

  #run(inputs: StorletInput[]): Promise<StorletOutput> {
    return this.#code().then((code) => this.#gateway.storlets.runner.run({ key: `${this.#path.account}/${this.#sreq.storlet}`, code, inputs, params: this.#sreq.params }));
  }

  #release(): void {
    for (const release of this.#opened.splice(0)) release();
  }

  /** The storlet failed before its first byte (or could not start): 503 for GET, 500 otherwise. */
  #failedToStart(err: unknown, status: 500 | 503): void {
    // an input the storlet never read keeps its connection to Swift busy until released
    this.#release();
    if (!(err instanceof StorletError)) throw err;
    this.#gateway.log(err, `storlet ${this.#sreq.storlet}`);
    answer(this.#res, status, err.code === "E_UNAVAILABLE" ? "the storlet is busy; try again later" : UPSTREAM_MESSAGES.execFailed);
  }

  async get(): Promise<void> {
    const opened = await this.#objectInput(this.#path.container, this.#path.object, true);
    if (opened === undefined) return;
    const extras = await this.#extras();
    if (extras === undefined) return this.#release();
    let output: StorletOutput;
    try {
      output = await this.#run([opened.input, ...extras]);
    } catch (err) {
      return this.#failedToStart(err, 503);
    }
    const merged = metadataHeaders(output.metadata, this.#sreq.storlet);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(opened.headers)) {
      if (value === undefined || ["content-length", "content-range", "transfer-encoding", "etag", "accept-ranges", "connection", "keep-alive"].includes(name)) continue;
      headers[name] = value;
    }
    Object.assign(headers, merged.meta);
    if (merged.contentType !== undefined) headers["content-type"] = merged.contentType;
    const inputRange = header(opened.headers, "content-range");
    if (this.#sreq.range !== undefined && inputRange !== undefined) headers["storlet-input-range"] = inputRange;
    this.#res.writeHead(200, headers);
    streamOut(output.body, this.#res, (err) => this.#gateway.log(err, `storlet ${this.#sreq.storlet} after its first byte`));
  }

  async put(): Promise<void> {
    const length = this.#req.headers["content-length"];
    const body: StorletInput = {
      metadata: inputMetadata(this.#req.headers),
      ...(length === undefined ? {} : { size: Number(length) }),
      seekable: false,
      open: async () => this.#req,
    };
    const extras = await this.#extras();
    if (extras === undefined) return this.#release();
    await this.#store([body, ...extras], this.#path.container, this.#path.object, {});
  }

  async copy(): Promise<void> {
    let source: string;
    let destination: [string, string];
    if (this.#req.method === "COPY") {
      source = `${this.#path.container}/${this.#path.object}`;
      destination = splitObject(String(this.#req.headers.destination));
    } else {
      source = safeDecode(String(this.#req.headers["x-copy-from"])).replace(/^\/+/, "");
      destination = [this.#path.container, this.#path.object];
    }
    const [sourceContainer, sourceObject] = splitObject(source);
    const opened = await this.#objectInput(sourceContainer, sourceObject, true);
    if (opened === undefined) return;
    const extras = await this.#extras();
    if (extras === undefined) return this.#release();
    // upstream: the source's metadata (and type) overwrite the request's, then the storlet's apply
    const fromSource: Record<string, string> = {};
    for (const [name, value] of Object.entries(opened.headers)) {
      if ((name.startsWith(OBJECT_META) || name === "content-type" || name === "x-delete-at") && typeof value === "string") fromSource[name] = value;
    }
    const generated = {
      "x-storlet-generated-from": encodePath(sourceContainer, sourceObject),
      "x-storlet-generated-from-account": this.#path.account,
      "x-storlet-generated-from-last-modified": header(opened.headers, "last-modified") ?? "",
    };
    await this.#store([opened.input, ...extras], destination[0], destination[1], fromSource, generated);
  }

  /** Runs the storlet and stores its output (a chunked PUT that is aborted if the storlet fails). */
  async #store(inputs: StorletInput[], container: string, object: string, fromSource: Record<string, string>, extraAnswer: Record<string, string> = {}): Promise<void> {
    let output: StorletOutput;
    try {
      output = await this.#run(inputs);
    } catch (err) {
      return this.#failedToStart(err, 500);
    }
    const merged = metadataHeaders(output.metadata, this.#sreq.storlet);
    const headers = passHeaders(this.#req.headers, (name) => name === "x-run-storlet" || name.startsWith("x-storlet-") || name.startsWith("x-object-meta-storlet-") || ["content-length", "etag", "x-copy-from", "destination", "x-auth-token", "expect", "content-md5"].includes(name));
    // no Content-Length: the output's length is known at its end, so the upload is chunked
    Object.assign(headers, fromSource, merged.meta, merged.contentType === undefined ? {} : { "content-type": merged.contentType });
    const body = new PassThrough();
    let failure: unknown;
    output.body.on("error", (err) => {
      failure = err;
      // the upload is cut: Swift stores nothing
      body.destroy(err);
    });
    output.body.pipe(body);
    let stored: Dispatcher.ResponseData;
    try {
      stored = await this.#send("PUT", this.#accountPath(container, object), headers, body);
    } catch (err) {
      if (failure !== undefined) {
        this.#gateway.log(failure, `storlet ${this.#sreq.storlet} after its first byte`);
        return answer(this.#res, 500, UPSTREAM_MESSAGES.execFailed);
      }
      throw err;
    }
    if (failure !== undefined) {
      await stored.body.dump();
      return answer(this.#res, 500, UPSTREAM_MESSAGES.execFailed);
    }
    relay(this.#res, stored, stored.statusCode === 201 ? extraAnswer : {});
  }
}

/** `c/o` or `/c/o` → container and object. @throws UsageError when there is no object part */
function splitObject(text: string): [string, string] {
  const clean = safeDecode(text).replace(/^\/+/, "");
  const slash = clean.indexOf("/");
  if (slash <= 0 || slash === clean.length - 1) throw new UsageError(`"${text}" is not CONTAINER/OBJECT`);
  return [clean.slice(0, slash), clean.slice(slash + 1)];
}

/**
 * Streams the storlet's output as the chunked body; when the storlet fails after the headers, the
 * connection is cut before the last chunk, so the client sees an error instead of a short body.
 */
function streamOut(body: Readable, res: ServerResponse, log: (err: unknown) => void): void {
  body.on("error", (err) => {
    log(err);
    res.destroy(err);
  });
  res.on("close", () => {
    if (!body.readableEnded) body.destroy();
  });
  body.pipe(res);
}


/**
 * `skybutler serve`: the HTTP server (fastify) in front of repositories — pfstorage's
 * `/api/v1/cmd`, the object API that `skybutler+http://` storages speak, and (phase 2) datasets.
 * Secure by default: it binds 127.0.0.1, every write needs a token, bodies, time and concurrent
 * transfers are bounded, and errors never carry a stack trace or a server path.
 *
 * @packageDocumentation
 */
import { resolve } from "node:path";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ConfigError } from "../errors.js";
import { allowLoopSyncs, storageFromUri, type Storage } from "../storage/index.js";
import { AccessPolicy } from "./access-policy.js";
import { errorReply } from "./error-reply.js";
import { Redactor } from "./redactor.js";
import { RepoTable, type RepoSpec } from "./repo-table.js";
import { ROUTE_GROUPS } from "./routes/index.js";
import { DEFAULT_LIMITS, type ServerContext, type ServerLimits } from "./server-context.js";
import { TokenTable } from "./token-file.js";
import { TransferGate } from "./transfer-gate.js";
import { StorletService, type StorletServiceOptions } from "./storlet-service.js";
import { StorletStore } from "./storlet-store.js";
import { gatewayDispatcher, swiftGatewayRoutes } from "./swift-gateway/swift-gateway.js";
import { SwiftUpstream } from "./swift-gateway/swift-upstream.js";

/** Options of {@link SkybutlerServer.start}. */
export interface ServerOptions {
  /** Address to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. Default 4055. */
  port?: number;
  /** Repositories served, `NAME=URI`. */
  repos?: RepoSpec[];
  /** The token file (`TOKEN SCOPE` lines, mode 600). */
  tokenFile?: string;
  /** Reads need no token. */
  publicRead?: boolean;
  /** Refuse every write (403). */
  readOnly?: boolean;
  /** Where `/api/v1/cmd`'s objPull and objPut may read and write server files. */
  dataRoot?: string;
  /** The storage `/api/v1/cmd` acts on by default (else the first repository). */
  cmdStorage?: string;
  /** Limits; each field defaults as in {@link DEFAULT_LIMITS}. */
  limits?: Partial<ServerLimits>;
  /** Request log lines (JSON, without headers or tokens) to this stream; none when undefined. */
  logStream?: NodeJS.WritableStream;
  /**
   * A Swift proxy to front (`http://HOST:PORT`): `/auth`, `/info` and `/v1` are passed on, and
   * requests with `X-Run-Storlet` run storlets next to the data (upstream Storlets' protocol).
   */
  swiftProxy?: string;
  /** Storlet limits and concurrency (for the Swift gateway and the object API). */
  storlets?: StorletServiceOptions;
  /** Where storlets deployed through `/api/v1/storlets` are kept (none: only the shipped ones run). */
  storletDir?: string;
  /** Repositories whose objects run storlets (`X-Run-Storlet`); `*` for all. Default none. */
  storletRepos?: string[];
}

/**
 * A running server.
 *
 * ```ts
 * const server = await SkybutlerServer.start({ port: 0, repos: [{ name: "cam", uri: "data/testcam-repo" }], publicRead: true });
 * console.log(server.url);   // http://127.0.0.1:41234
 * await server.close();
 * ```
 */
export class SkybutlerServer {
  readonly #app: FastifyInstance;
  readonly #repos: RepoTable;
  readonly #extra: Storage | undefined;
  readonly #graceMs: number;
  /** `http://HOST:PORT` of the listening socket. */
  readonly url: string;
  #closing: Promise<void> | undefined;
  /** Read by the app's hooks: once set, every response closes its connection. */
  readonly #stopping: { value: boolean };

  private constructor(app: FastifyInstance, stopping: { value: boolean }, repos: RepoTable, extra: Storage | undefined, graceMs: number, url: string) {
    this.#app = app;
    this.#stopping = stopping;
    this.#repos = repos;
    this.#extra = extra;
    this.#graceMs = graceMs;
    this.url = url;
  }

  /**
   * Opens the repositories and starts listening.
   * @throws ConfigError for a bad token file (readable by others, malformed), no way to read
   *   anything (no token file and no --public-read), a bad repository spec; the storages' errors
   *   when a repository cannot be opened; the listen error (EADDRINUSE …)
   */
  static async start(options: ServerOptions = {}): Promise<SkybutlerServer> {
    const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
    const tokens = options.tokenFile === undefined ? undefined : await TokenTable.load(options.tokenFile);
    if (tokens === undefined && options.publicRead !== true) {
      throw new ConfigError("nobody could use this server: give --token-file FILE (TOKEN SCOPE lines) or --public-read");
    }
    // other requests wait on this loop: a put's fsync goes to the pool even when it is the only write
    allowLoopSyncs(false);
    const redactor = new Redactor();
    const dataRoot = options.dataRoot === undefined ? undefined : resolve(options.dataRoot);
    if (dataRoot !== undefined) redactor.add(dataRoot, "the data root");
    const repos = await RepoTable.open(options.repos ?? [], { readOnly: options.readOnly === true, redactor });
    let extra: Storage | undefined;
    let app: FastifyInstance | undefined;
    const stopping = { value: false };
    try {
      if (options.cmdStorage !== undefined) {
        extra = await storageFromUri(options.cmdStorage, { create: options.readOnly !== true });
        redactor.add(extra.uri, "the server's storage").add(options.cmdStorage, "the server's storage");
      }
      const first = repos.names()[0];
      const ctx: ServerContext = {
        repos,
        access: new AccessPolicy({ tokens, publicRead: options.publicRead === true, readOnly: options.readOnly === true }),
        limits,
        gate: new TransferGate(limits.maxTransfers, limits.maxWaiting),
        redactor,
        dataRoot,
        cmdStorage: () => extra ?? (first === undefined ? undefined : repos.get(first).storage),
        storlets: new StorletService(options.storlets),
        storletStore: new StorletStore(options.storletDir === undefined ? undefined : resolve(options.storletDir), options.storletRepos ?? []),
      };
      await ctx.storletStore!.load();
      app = buildApp(ctx, options.logStream, stopping);
      const storlets = ctx.storlets!;
      app.addHook("onClose", () => storlets.close());
      if (options.swiftProxy !== undefined) {
        const dispatcher = gatewayDispatcher();
        const server = app;
        swiftGatewayRoutes(app, { upstream: new SwiftUpstream(options.swiftProxy, dispatcher), storlets, log: (err, what) => server.log.error({ err }, what) });
        app.addHook("onClose", () => dispatcher.close());
      }
      await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 4055 });
      const address = app.server.address();
      if (address === null || typeof address === "string") throw new ConfigError("the server is not listening on a TCP port");
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      return new SkybutlerServer(app, stopping, repos, extra, limits.shutdownGraceMs, `http://${host}:${address.port}`);
    } catch (err) {
      await app?.close().catch(() => undefined);
      await extra?.close().catch(() => undefined);
      await repos.close();
      throw err;
    }
  }

  /**
   * Stops accepting connections, lets requests in flight finish (within the grace time; then their
   * connections are cut, and a write cut short leaves nothing), and closes the storages. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#stopping.value = true;
      const cut = setTimeout(() => this.#app.server.closeAllConnections(), this.#graceMs);
      try {
        await this.#app.close();
      } finally {
        clearTimeout(cut);
        await this.#extra?.close().catch(() => undefined);
        await this.#repos.close();
      }
    })();
    return this.#closing;
  }
}

function buildApp(ctx: ServerContext, logStream: NodeJS.WritableStream | undefined, stopping: { value: boolean }): FastifyInstance {
  /** Every error answer, the framework's own (a malformed URL) included: `{code, message}`. */
  const sendError = (err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const { status, body } = errorReply(err, ctx.redactor, (e) => req.log.error({ err: e }, "request failed"));
    if (status === 401) reply.header("www-authenticate", 'Bearer realm="skybutler"');
    // a HEAD response has no body: the code travels in a header too
    return reply.code(status).header("x-skybutler-error", body.code).send(body);
  };
  const app = Fastify({
    logger: logStream === undefined ? false : { level: "info", stream: logStream, redact: ["req.headers.authorization"] },
    bodyLimit: ctx.limits.maxJsonBytes,
    connectionTimeout: ctx.limits.idleTimeoutMs,
    keepAliveTimeout: ctx.limits.keepAliveMs,
    // a large transfer may take long: the idle timeout bounds silence, not duration
    requestTimeout: 0,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    routerOptions: { maxParamLength: 4096 },
    // errors fastify meets before routing (a malformed URL) get the same typed answer
    frameworkErrors: (err, req, reply) => void sendError(err, req, reply),
  });
  app.server.headersTimeout = ctx.limits.headersTimeoutMs;
  // bodies are read by the routes themselves (streamed objects, size-limited messages)
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_req, _payload, done) => done(null, undefined));
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: "E_USAGE", message: `no endpoint ${req.method} ${req.url.split("?")[0]}; see the README's "Server" section` }));
  // while stopping, a request that finishes frees its connection at once instead of keeping it alive
  app.addHook("onSend", async (_req, reply, payload) => {
    if (stopping.value) reply.header("connection", "close");
    return payload;
  });
  for (const group of ROUTE_GROUPS) group(app, ctx);
  return app;
}

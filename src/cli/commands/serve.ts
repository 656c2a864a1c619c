/**
 * `skybutler serve`: the HTTP server. The first line on stdout is `listening on http://HOST:PORT`
 * (the chosen port with `--port 0`); request logs go to stderr as JSON lines (none with `--quiet`),
 * never with a header or a token. SIGTERM and SIGINT finish the requests in flight, then exit 0.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { parseRepoSpec, type RepoSpec } from "../../server/repo-spec.js";
import { globalFlags } from "../global-options.js";

const collect = (value: string, previous: RepoSpec[]): RepoSpec[] => [...previous, parseRepoSpec(value)];

function integer(name: string, min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
    return n;
  };
}

interface ServeFlags {
  host: string;
  port: number;
  repo: RepoSpec[];
  tokenFile?: string;
  publicRead?: boolean;
  readOnly?: boolean;
  dataRoot?: string;
  maxObjectBytes?: number;
  maxTransfers?: number;
  shutdownGrace?: number;
  swiftProxy?: string;
  storletTimeout?: number;
  storletMemory?: number;
  storletConcurrency?: number;
  storletDir?: string;
  storlets?: string[];
}

/** Registers `serve`. */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve repositories over HTTP: pfstorage's /api/v1/cmd and the object API")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--port <port>", "port (0: any free one)", integer("--port", 0, 65535), 4055)
    .option("--repo <name=uri>", "serve this repository as NAME (repeatable)", collect, [])
    .option("--token-file <file>", "TOKEN SCOPE lines (scopes read, write, admin); mode 600")
    .option("--public-read", "reads need no token")
    .option("--read-only", "refuse every write (403)")
    .option("--data-root <dir>", "where /api/v1/cmd objPull/objPut may read and write server files")
    .option("--max-object-bytes <n>", "largest object a PUT may send", integer("--max-object-bytes", 0, Number.MAX_SAFE_INTEGER))
    .option("--max-transfers <n>", "object transfers at once", integer("--max-transfers", 1, 10_000))
    .option("--shutdown-grace <ms>", "on SIGTERM, how long requests in flight may take", integer("--shutdown-grace", 0, 3_600_000))
    .option("--swift-proxy <url>", "front this Swift proxy (/auth, /info, /v1) and run storlets on X-Run-Storlet (upstream Storlets' protocol)")
    .option("--storlet-timeout <s>", "longest silence of a storlet, to its first byte and between outputs (default 40)", integer("--storlet-timeout", 1, 3600))
    .option("--storlet-memory <MiB>", "memory limit of a storlet (default 512)", integer("--storlet-memory", 64, 65536))
    .option("--storlet-concurrency <n>", "runs of one storlet at once (default 5)", integer("--storlet-concurrency", 1, 1000))
    .option("--storlet-dir <dir>", "keep storlets deployed through /api/v1/storlets (admin) here")
    .option("--storlets <name>", "run storlets (X-Run-Storlet) on this repository's objects; * for all (repeatable)", (v: string, p: string[]) => [...p, v], [])
    .action(async (opts: ServeFlags, command: Command) => {
      const flags = globalFlags(command);
      // loaded here: the other commands start without fastify
      const { SkybutlerServer } = await import("../../server/skybutler-server.js");
      const server = await SkybutlerServer.start({
        host: opts.host,
        port: opts.port,
        repos: opts.repo,
        ...(opts.tokenFile === undefined ? {} : { tokenFile: opts.tokenFile }),
        publicRead: opts.publicRead === true,
        readOnly: opts.readOnly === true,
        ...(opts.dataRoot === undefined ? {} : { dataRoot: opts.dataRoot }),
        ...(flags.storage === undefined ? {} : { cmdStorage: flags.storage }),
        limits: {
          ...(opts.maxObjectBytes === undefined ? {} : { maxObjectBytes: opts.maxObjectBytes }),
          ...(opts.maxTransfers === undefined ? {} : { maxTransfers: opts.maxTransfers }),
          ...(opts.shutdownGrace === undefined ? {} : { shutdownGraceMs: opts.shutdownGrace }),
        },
        ...(flags.quiet === true ? {} : { logStream: process.stderr }),
        ...(opts.swiftProxy === undefined ? {} : { swiftProxy: opts.swiftProxy }),
        ...(opts.storletDir === undefined ? {} : { storletDir: opts.storletDir }),
        storletRepos: opts.storlets ?? [],
        storlets: {
          limits: {
            ...(opts.storletTimeout === undefined ? {} : { timeoutMs: opts.storletTimeout * 1000 }),
            ...(opts.storletMemory === undefined ? {} : { memoryMiB: opts.storletMemory }),
          },
          ...(opts.storletConcurrency === undefined ? {} : { maxConcurrent: opts.storletConcurrency }),
        },
      });
      process.stdout.write(`listening on ${server.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off("SIGTERM", stop);
          process.off("SIGINT", stop);
          void server.close().finally(resolve);
        };
        process.on("SIGTERM", stop);
        process.on("SIGINT", stop);
      });
    });
}

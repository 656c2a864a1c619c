/**
 * What every route of the server shares: its repositories, access policy, limits, the gate on
 * concurrent transfers, the redactor, and pfstorage's command context.
 *
 * @packageDocumentation
 */
import type { Storage } from "../storage/index.js";
import type { AccessPolicy } from "./access-policy.js";
import type { Redactor } from "./redactor.js";
import type { RepoTable } from "./repo-table.js";
import type { TransferGate } from "./transfer-gate.js";
import type { StorletService } from "./storlet-service.js";
import type { StorletStore } from "./storlet-store.js";

/** Bounds on what one request may cost. */
export interface ServerLimits {
  /** Largest JSON body (`/api/v1/cmd`). Default 1 MiB. */
  maxJsonBytes: number;
  /** Largest object body of a PUT. Default 64 GiB. */
  maxObjectBytes: number;
  /** Object transfers at once. Default 32. */
  maxTransfers: number;
  /** Requests waiting for a transfer slot before 503. Default 256. */
  maxWaiting: number;
  /** Time to receive a request's headers. Default 15 s. */
  headersTimeoutMs: number;
  /** Longest silence on a connection, mid-request or idle. Default 60 s. */
  idleTimeoutMs: number;
  /** Keep-alive of an idle connection between requests. Default 5 s. */
  keepAliveMs: number;
  /** On SIGTERM, how long in-flight requests may take before they are cut (their writes then leave nothing). Default 30 s. */
  shutdownGraceMs: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: ServerLimits = {
  maxJsonBytes: 1024 * 1024,
  maxObjectBytes: 64 * 1024 ** 3,
  maxTransfers: 32,
  maxWaiting: 256,
  headersTimeoutMs: 15_000,
  idleTimeoutMs: 60_000,
  keepAliveMs: 5_000,
  shutdownGraceMs: 30_000,
};

/** Shared by the routes. */
export interface ServerContext {
  repos: RepoTable;
  access: AccessPolicy;
  limits: ServerLimits;
  gate: TransferGate;
  redactor: Redactor;
  /** Where `/api/v1/cmd`'s objPull/objPut may read and write server files; none: they are refused. */
  dataRoot: string | undefined;
  /**
   * The storage `/api/v1/cmd` acts on when the message names no `repo`: the server's `--storage`,
   * else its first repository. Undefined when there is neither.
   */
  cmdStorage(): Storage | undefined;
  /** Runs storlets (the Swift gateway's, and `X-Run-Storlet` on the object API). */
  storlets?: StorletService;
  /** The storlets the object API runs, and the repositories allowed to. */
  storletStore?: StorletStore;
}

/**
 * SwiftStorage's options and their defaults.
 *
 * @packageDocumentation
 */
import type { Dispatcher } from "undici";
import { ConfigError } from "../../errors.js";
import type { StorageOptions } from "../storage.js";
import type { SwiftCredentialOptions } from "./credentials.js";
import { resolveRetryPolicy, type RetryOptions, type RetryPolicy, type TimeoutOptions } from "../retry-policy.js";

/** Options of `SwiftStorage.open`: the common ones, credentials, and transport settings. */
export interface SwiftStorageOptions extends StorageOptions, SwiftCredentialOptions {
  /**
   * undici dispatcher for every request (a proxy agent, custom TLS, interceptors in tests). The
   * storage closes only a dispatcher it made itself.
   */
  dispatcher?: Dispatcher;
  /** Environment to read credentials from; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /** Retries of failed requests (default 5 tries within 60 s, jittered exponential backoff). */
  retry?: RetryOptions;
  /** Timeouts (default connect 10 s, response headers 60 s, a stalled body 60 s). */
  timeouts?: TimeoutOptions;
  /**
   * Objects larger than this many bytes are uploaded as Static Large Objects (segments in
   * `<container>_segments`, then a manifest). Default 1 GiB; it must stay below the server's
   * `max_file_size` (5 GiB unless the operator changed it: see `/info`).
   */
  segmentSize?: number;
  /** Segments of one large object uploaded at once. Default 4. */
  segmentConcurrency?: number;
}

/** The settings resolved from the options. */
export interface SwiftSettings {
  policy: RetryPolicy;
  segmentSize: number;
  segmentConcurrency: number;
}

const DEFAULT_SEGMENT_SIZE = 1024 ** 3;
const DEFAULT_SEGMENT_CONCURRENCY = 4;

function integer(value: unknown, fallback: number, name: string): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`Swift storage option ${name} must be a positive integer, not ${JSON.stringify(value)}`);
  return n;
}

/**
 * Settings with their defaults (plain values, so they may come from YAML repository arguments).
 * @throws ConfigError for a malformed value
 */
export function resolveSwiftSettings(options: SwiftStorageOptions): SwiftSettings {
  return {
    policy: resolveRetryPolicy(options.retry, options.timeouts),
    segmentSize: integer(options.segmentSize, DEFAULT_SEGMENT_SIZE, "segmentSize"),
    segmentConcurrency: integer(options.segmentConcurrency, DEFAULT_SEGMENT_CONCURRENCY, "segmentConcurrency"),
  };
}

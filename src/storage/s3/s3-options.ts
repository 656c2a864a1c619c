/**
 * S3Storage's options: credentials, region and endpoint from the options or the usual AWS
 * variables, transport settings, multipart sizes.
 *
 * @packageDocumentation
 */
import type { Dispatcher } from "undici";
import { ConfigError } from "../../errors.js";
import { resolveRetryPolicy, type RetryOptions, type RetryPolicy, type TimeoutOptions } from "../retry-policy.js";
import type { StorageOptions } from "../storage.js";

/** Options of `S3Storage.open`. */
export interface S3StorageOptions extends StorageOptions {
  /** Default `AWS_ACCESS_KEY_ID`. */
  accessKeyId?: string;
  /** Default `AWS_SECRET_ACCESS_KEY`; never shown in a message. */
  secretAccessKey?: string;
  /** Default `AWS_SESSION_TOKEN` (temporary credentials). */
  sessionToken?: string;
  /** Default `AWS_REGION`, then `AWS_DEFAULT_REGION`, then us-east-1. */
  region?: string;
  /**
   * An S3-compatible endpoint (`http://127.0.0.1:8080`), addressed path-style; default
   * `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, else AWS itself (virtual-hosted style).
   */
  endpoint?: string;
  /** Environment to read the variables from; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /** undici dispatcher for every request; the storage closes only one it made. */
  dispatcher?: Dispatcher;
  retry?: RetryOptions;
  timeouts?: TimeoutOptions;
  /** Objects larger than this go up as multipart uploads of parts this big. Default 64 MiB (minimum 5 MiB, S3's). */
  partSize?: number;
  /** Parts uploaded at once. Default 4. */
  partConcurrency?: number;
}

/** The resolved settings. */
export interface S3Settings {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | undefined;
  region: string;
  /** Without a trailing slash; undefined for AWS. */
  endpoint: string | undefined;
  policy: RetryPolicy;
  partSize: number;
  partConcurrency: number;
}

const MiB = 1024 * 1024;

function integer(value: unknown, fallback: number, name: string, min: number): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new ConfigError(`S3 storage option ${name} must be an integer ≥ ${min}, not ${JSON.stringify(value)}`);
  return n;
}

/**
 * Settings from the options and the environment.
 * @throws ConfigError naming the variables to set when credentials are missing, or a malformed value
 */
export function resolveS3Settings(options: S3StorageOptions): S3Settings {
  const env = options.env ?? process.env;
  const accessKeyId = options.accessKeyId ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = options.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError("S3 needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or pass accessKeyId and secretAccessKey)");
  }
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) throw new ConfigError(`S3 endpoint "${endpoint}" must be an http:// or https:// URL`);
  return {
    accessKeyId,
    secretAccessKey,
    sessionToken: options.sessionToken ?? env.AWS_SESSION_TOKEN,
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    endpoint: endpoint?.replace(/\/+$/, ""),
    policy: resolveRetryPolicy(options.retry, options.timeouts),
    partSize: integer(options.partSize, 64 * MiB, "partSize", 5 * MiB),
    partConcurrency: integer(options.partConcurrency, 4, "partConcurrency", 1),
  };
}

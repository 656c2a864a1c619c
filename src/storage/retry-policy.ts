/**
 * When a remote storage (Swift, S3, a skybutler server) tries a request again, how long it waits, and
 * how long it waits for a server at all: jittered exponential backoff bounded by a count and a
 * total time, Retry-After honoured, and timeouts on connect, on the response headers and on a
 * stalled body.
 *
 * @packageDocumentation
 */
import { ConfigError } from "../errors.js";

/** Retry settings (storage option `retry`); every field is optional. */
export interface RetryOptions {
  /** Attempts per request, the first included. Default 5; 1 disables retries. */
  tries?: number;
  /** No new attempt starts when it would begin later than this after the first one. Default 60 000 ms. */
  maxElapsedMs?: number;
  /** Backoff before the second attempt (before jitter); doubled each time. Default 250 ms. */
  baseDelayMs?: number;
  /** Upper bound of one backoff. Default 8 000 ms. */
  maxDelayMs?: number;
}

/** Timeout settings (storage option `timeouts`); a dead or stalled server gives E_TIMEOUT, never a hang. */
export interface TimeoutOptions {
  /** TCP connect (only for the storage's own connection pool). Default 10 000 ms. */
  connectMs?: number;
  /** From the end of the request body to the response headers; also a stalled upload. Default 60 000 ms. */
  headersMs?: number;
  /** Longest silence between two chunks of a response body. Default 60 000 ms. */
  bodyMs?: number;
}

/** Resolved settings. */
export interface RetryPolicy {
  tries: number;
  maxElapsedMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  connectMs: number;
  headersMs: number;
  bodyMs: number;
}

const DEFAULTS: RetryPolicy = {
  tries: 5,
  maxElapsedMs: 60_000,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  connectMs: 10_000,
  headersMs: 60_000,
  bodyMs: 60_000,
};

function positive(value: unknown, fallback: number, name: string, min = 0): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) {
    throw new ConfigError(`storage option ${name} must be a number ≥ ${min}, not ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Settings from the storage options (plain numbers, so they can come from YAML repository arguments).
 * @throws ConfigError for a value that is not a number or is below its minimum
 */
export function resolveRetryPolicy(retry: RetryOptions = {}, timeouts: TimeoutOptions = {}): RetryPolicy {
  return {
    tries: Math.floor(positive(retry.tries, DEFAULTS.tries, "retry.tries", 1)),
    maxElapsedMs: positive(retry.maxElapsedMs, DEFAULTS.maxElapsedMs, "retry.maxElapsedMs"),
    baseDelayMs: positive(retry.baseDelayMs, DEFAULTS.baseDelayMs, "retry.baseDelayMs"),
    maxDelayMs: positive(retry.maxDelayMs, DEFAULTS.maxDelayMs, "retry.maxDelayMs"),
    connectMs: positive(timeouts.connectMs, DEFAULTS.connectMs, "timeouts.connectMs", 1),
    headersMs: positive(timeouts.headersMs, DEFAULTS.headersMs, "timeouts.headersMs", 1),
    bodyMs: positive(timeouts.bodyMs, DEFAULTS.bodyMs, "timeouts.bodyMs", 1),
  };
}

/** 5xx and 429 say "not now": the same request may well succeed later. 501 and 505 never will. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599 && status !== 501 && status !== 505 && status !== 507);
}

/**
 * "Full jitter" backoff (a uniform draw below the exponential bound): many clients that failed
 * together do not come back together. `retry` counts from 1 (the wait before the second attempt).
 */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(bound * (0.5 + random() / 2));
}

/** Retry-After (delta seconds or an HTTP date) in ms, or undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What a transport failure means for a retry. */
export interface TransportFailure {
  /** E_TIMEOUT or E_CONNECTION; undefined when it is not a network failure (a closed storage, a bug). */
  code: "E_TIMEOUT" | "E_CONNECTION" | undefined;
  /** Whether the server may have received the request (so a retry may see its effect). */
  mayHaveArrived: boolean;
  /** A short description without headers: undici's messages name the host and the failure only. */
  what: string;
}

const TIMEOUTS: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: "connect timeout",
  UND_ERR_HEADERS_TIMEOUT: "no response headers in time",
  UND_ERR_BODY_TIMEOUT: "the response body stalled",
};
const CONNECTION = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "UND_ERR_SOCKET", "ECONNABORTED"]);
/** Failures before a single byte of the request left: a retry cannot repeat an effect. */
const BEFORE_SENDING = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** Classifies an error thrown by undici (its `code`, or its cause's). */
export function classifyTransport(err: unknown): TransportFailure {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? "";
  const inner = e?.cause?.code ?? "";
  const what = `${e?.message ?? String(err)}${code ? ` (${code})` : ""}`;
  for (const c of [code, inner]) {
    if (c in TIMEOUTS) return { code: "E_TIMEOUT", mayHaveArrived: c !== "UND_ERR_CONNECT_TIMEOUT", what: `${TIMEOUTS[c]}: ${what}` };
  }
  for (const c of [code, inner]) {
    if (CONNECTION.has(c)) return { code: "E_CONNECTION", mayHaveArrived: !BEFORE_SENDING.has(c), what };
  }
  // undici reports "other side closed" and friends as UND_ERR_SOCKET; a plain Error with
  // "terminated" is the body stream of a dropped connection
  if (/terminated|other side closed|socket hang up/i.test(what)) return { code: "E_CONNECTION", mayHaveArrived: true, what };
  return { code: undefined, mayHaveArrived: true, what };
}

/** Promise-based sleep. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

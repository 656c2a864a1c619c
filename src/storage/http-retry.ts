/**
 * The retry loop of an HTTP storage client, on the shared policy of `retry-policy.ts`: transport
 * failures and retryable statuses (5xx, 429, 408) are tried again with jittered exponential
 * backoff, Retry-After honoured, within a count and a total time. Every request body must be
 * replayable (bytes, or a factory of fresh streams), so every request may be sent again.
 *
 * @packageDocumentation
 */
import type { Dispatcher } from "undici";
import { StorageError } from "../errors.js";
import { backoffMs, classifyTransport, isRetryableStatus, retryAfterMs, sleep, type RetryPolicy } from "./retry-policy.js";

/** A response, and what it took to get it. */
export interface RetriedResponse extends Dispatcher.ResponseData {
  /** Attempts made, this one included. */
  attempts: number;
  /** An earlier attempt may have reached the server: its effect may already be there. */
  uncertain: boolean;
}

/** What {@link sendWithRetries} needs. */
export interface RetriedRequest {
  /** Sends once (signing anew each time: a signature carries the time). */
  send(): Promise<Dispatcher.ResponseData>;
  policy: RetryPolicy;
  /** "S3 PUT /bucket/key", for messages. */
  what: string;
  /** Whether the method changes state (a 5xx may then have done it). */
  writes: boolean;
}

/**
 * Sends with retries; the caller must consume or dump the body of the returned response.
 * @throws StorageError E_CONNECTION / E_TIMEOUT when the server cannot be reached or stalls,
 *   E_UNAVAILABLE when it still answers 5xx/429 after the last attempt
 */
export async function sendWithRetries(req: RetriedRequest): Promise<RetriedResponse> {
  const started = Date.now();
  let uncertain = false;
  const mayRetry = (attempt: number, delay: number): boolean => attempt < req.policy.tries && Date.now() - started + delay <= req.policy.maxElapsedMs;
  for (let attempt = 1; ; attempt++) {
    let response: Dispatcher.ResponseData;
    try {
      response = await req.send();
    } catch (err) {
      const failure = classifyTransport(err);
      if (failure.code === undefined) throw new StorageError(`${req.what} failed: ${failure.what}`, { cause: err });
      const delay = backoffMs(attempt, req.policy);
      if (!mayRetry(attempt, delay)) {
        throw new StorageError(`${giveUp(req.what, attempt, started)}: ${failure.what}; check that the server is up and reachable`, { code: failure.code, cause: err });
      }
      uncertain ||= failure.mayHaveArrived;
      await sleep(delay);
      continue;
    }
    if (isRetryableStatus(response.statusCode)) {
      const status = response.statusCode;
      await response.body.dump();
      const value = response.headers["retry-after"];
      const told = retryAfterMs(Array.isArray(value) ? value[0] : value);
      const delay = told ?? backoffMs(attempt, req.policy);
      if (!mayRetry(attempt, delay)) {
        throw new StorageError(`${giveUp(req.what, attempt, started)}: HTTP ${status}; the server is overloaded or unavailable, try again later`, { code: "E_UNAVAILABLE" });
      }
      uncertain ||= status !== 429 && req.writes;
      await sleep(delay);
      continue;
    }
    return Object.assign(response, { attempts: attempt, uncertain });
  }
}

function giveUp(what: string, attempts: number, started: number): string {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return `${what} failed after ${attempts} attempt${attempts === 1 ? "" : "s"} in ${seconds} s`;
}

/**
 * An undici Agent whose requests pass through a test interceptor: counts them by method and path,
 * and can rewrite a request's headers (e.g. a wrong ETag, as corruption in transit would look).
 * The server is still the real one; only what the client sends is observed or altered.
 */
import { Agent, type Dispatcher } from "undici";

/** A request as the interceptor saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}

/** The agent to pass as `dispatcher`, and what went through it. */
export interface CountingAgent {
  dispatcher: Dispatcher;
  seen: SeenRequest[];
  /** Requests whose path contains `fragment`. */
  count(fragment: string, method?: string): number;
  close(): Promise<void>;
}

function plainHeaders(headers: Dispatcher.DispatchOptions["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined || headers === null) return out;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const [k, v] of headers as Iterable<[string, string]>) out[k.toLowerCase()] = String(v);
  } else {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) if (v !== undefined) out[k.toLowerCase()] = String(v);
  }
  return out;
}

/**
 * @param rewrite - may return changed headers for a request (called before it is sent)
 */
export function countingAgent(rewrite?: (req: SeenRequest) => Record<string, string> | undefined): CountingAgent {
  const seen: SeenRequest[] = [];
  const agent = new Agent();
  const dispatcher = agent.compose((dispatch) => (opts, handler) => {
    const req: SeenRequest = { method: String(opts.method), path: String(opts.path), headers: plainHeaders(opts.headers) };
    seen.push(req);
    const changed = rewrite?.(req);
    return dispatch(changed === undefined ? opts : { ...opts, headers: changed }, handler);
  });
  return {
    dispatcher,
    seen,
    count: (fragment, method) => seen.filter((r) => r.path.includes(fragment) && (method === undefined || r.method === method)).length,
    close: () => agent.close(),
  };
}

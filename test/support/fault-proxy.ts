/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of the real test Swift: every request is
 * forwarded to the real server unless a scripted fault matches it first. Faults: drop the
 * connection part-way through the request body, close before answering (with or without the
 * request having reached the server), answer a status (503, 429 + Retry-After) instead of
 * forwarding, drop or stall the response part-way. The Host header is passed through, so tempauth
 * hands out storage URLs that point back at the proxy.
 *
 * ```ts
 * const proxy = await startFaultProxy(server.port);
 * proxy.inject({ method: "PUT", path: /\/big$/ }, { kind: "drop-request", afterBytes: 65536 });
 * const storage = await SwiftStorage.open("swift://c", { authUrl: proxy.authUrl, … });
 * ```
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What the proxy does to a matching request. */
export type Fault =
  /** Answer this status (after reading the request body) without forwarding. */
  | { kind: "status"; status: number; headers?: Record<string, string> }
  /** Close the client connection at once: nothing reaches the server. */
  | { kind: "reset" }
  /** Forward, then cut both connections after this many request-body bytes. */
  | { kind: "drop-request"; afterBytes: number }
  /** Forward everything; close the client connection after this many response-body bytes (before the headers when omitted). */
  | { kind: "drop-response"; afterBytes?: number }
  /** Forward; hold the response for `ms` — before the headers, or after `afterBytes` body bytes. */
  | { kind: "stall"; ms: number; afterBytes?: number }
  /** Forward everything, but flip the bits of the response-body byte at `atByte` (headers untouched). */
  | { kind: "corrupt-response"; atByte: number };

/** Which requests a fault applies to. */
export interface FaultMatch {
  method?: string;
  /** Substring of, or pattern for, the request path (with query). */
  path?: string | RegExp;
}

/** One request as the proxy saw it. */
export interface ProxiedRequest {
  method: string;
  path: string;
  /** The fault applied, if any. */
  fault?: Fault["kind"];
  /** When it arrived (ms since the epoch). */
  at: number;
  range?: string;
  ifMatch?: string;
  ifNoneMatch?: string;
  /** The status relayed to the client (unset when none was). */
  status?: number;
  /** Response-body bytes relayed to the client. */
  bytes: number;
}

interface Rule {
  match: FaultMatch;
  fault: Fault;
  remaining: number;
}

/** A standing rule: each matching request gets one of `faults` with probability `rate`. */
interface RandomRule {
  match: FaultMatch;
  faults: Fault[];
  rate: number;
  random: () => number;
}

/** A running proxy. */
export interface FaultProxy {
  port: number;
  /** `http://127.0.0.1:<port>/auth/v1.0` */
  authUrl: string;
  /** Every request so far, in arrival order. */
  seen: ProxiedRequest[];
  /** Applies `fault` to the next `times` requests that match (in addition to earlier rules). */
  inject(match: FaultMatch, fault: Fault, times?: number): void;
  /**
   * From now on, each request matching `match` (and no counted rule) gets, with probability
   * `rate`, one of `faults` picked by `random` (a seeded generator makes a run replayable).
   */
  sometimes(match: FaultMatch, faults: Fault[], rate: number, random: () => number): void;
  /** Forgets every rule and the log. */
  reset(): void;
  /** Stops listening and cuts every open connection. */
  close(): Promise<void>;
}

function matches(m: FaultMatch, method: string, path: string): boolean {
  if (m.method !== undefined && m.method !== method) return false;
  if (m.path === undefined) return true;
  return typeof m.path === "string" ? path.includes(m.path) : m.path.test(path);
}

/**
 * Starts a proxy to `127.0.0.1:<upstreamPort>` on a free port, or on `options.port` (a proxy
 * restarted where a closed one listened, so that clients reconnect to it).
 */
export async function startFaultProxy(upstreamPort: number, options: { port?: number } = {}): Promise<FaultProxy> {
  const rules: Rule[] = [];
  const randomRules: RandomRule[] = [];
  const seen: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => (timers.delete(t), fn()), ms);
    timers.add(t);
  };
  const wait = (ms: number): Promise<void> => new Promise((resolve) => later(ms, resolve));

  const server = createServer((req, res) => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const rule = rules.find((r) => r.remaining > 0 && matches(r.match, method, path));
    if (rule !== undefined) rule.remaining--;
    let fault = rule?.fault;
    for (const r of rule === undefined ? randomRules : []) {
      if (fault === undefined && matches(r.match, method, path) && r.random() < r.rate) fault = r.faults[Math.floor(r.random() * r.faults.length)];
    }
    const entry: ProxiedRequest = {
      method,
      path,
      at: Date.now(),
      bytes: 0,
      ...(fault ? { fault: fault.kind } : {}),
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers["if-match"] ? { ifMatch: String(req.headers["if-match"]) } : {}),
      ...(req.headers["if-none-match"] ? { ifNoneMatch: String(req.headers["if-none-match"]) } : {}),
    };
    seen.push(entry);
    if (fault?.kind === "reset") return void req.socket.destroy();
    if (fault?.kind === "status") {
      req.resume();
      req.on("end", () => {
        entry.status = fault.status;
        res.writeHead(fault.status, { "content-length": "0", ...fault.headers }).end();
      });
      return;
    }
    forward(req, res, fault, entry);
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  function forward(req: IncomingMessage, res: ServerResponse, fault: Fault | undefined, entry: ProxiedRequest): void {
    const up = request({ host: "127.0.0.1", port: upstreamPort, method: req.method, path: req.url, headers: req.headers });
    const cut = (): void => {
      up.destroy();
      req.socket.destroy();
    };
    up.on("error", () => req.socket.destroy());
    if (fault?.kind === "drop-request") {
      let passed = 0;
      req.on("data", (chunk: Buffer) => {
        if (passed + chunk.length >= fault.afterBytes) {
          up.write(chunk.subarray(0, fault.afterBytes - passed));
          passed = fault.afterBytes;
          req.pause();
          // let the partial body reach the server before the connection dies
          later(50, cut);
          return;
        }
        passed += chunk.length;
        up.write(chunk);
      });
      req.on("end", () => up.end());
    } else {
      req.pipe(up);
    }
    up.on("response", (upRes) => {
      const headers = { ...upRes.headers };
      const storageUrl = headers["x-storage-url"];
      if (typeof storageUrl === "string") headers["x-storage-url"] = storageUrl.replace(`:${upstreamPort}/`, `:${proxy.port}/`);
      if (fault?.kind === "drop-response" && fault.afterBytes === undefined) return void (upRes.resume(), cut());
      void relay(upRes, res, headers, fault, cut, entry).catch(() => cut());
    });
  }

  /** Copies the response, applying a drop or a stall at `afterBytes` (or before the headers). */
  async function relay(
    upRes: IncomingMessage,
    res: ServerResponse,
    headers: IncomingMessage["headers"],
    fault: Fault | undefined,
    cut: () => void,
    entry: ProxiedRequest,
  ): Promise<void> {
    if (fault?.kind === "stall" && fault.afterBytes === undefined) {
      await wait(fault.ms);
      if (res.socket === null || res.socket.destroyed) return void upRes.resume();
    }
    entry.status = upRes.statusCode ?? 502;
    res.writeHead(entry.status, headers);
    const limit = fault?.kind === "drop-response" || fault?.kind === "stall" ? fault.afterBytes : undefined;
    let sent = 0;
    for await (const chunk of upRes as AsyncIterable<Buffer>) {
      let rest = chunk;
      if (fault?.kind === "corrupt-response" && sent <= fault.atByte && fault.atByte < sent + chunk.length) {
        rest = Buffer.from(chunk); // a copy: the upstream's buffer stays as it was
        rest[fault.atByte - sent] = rest[fault.atByte - sent]! ^ 0xff;
      }
      if (limit !== undefined && sent < limit && sent + chunk.length >= limit) {
        res.write(chunk.subarray(0, limit - sent));
        entry.bytes += limit - sent;
        rest = chunk.subarray(limit - sent);
        sent = limit;
        if (fault!.kind === "drop-response") {
          await wait(50);
          return cut();
        }
        await wait((fault as { ms: number }).ms);
        if (res.socket === null || res.socket.destroyed) return cut();
      }
      sent += rest.length;
      entry.bytes += rest.length;
      if (!res.write(rest)) await new Promise((resolve) => res.once("drain", resolve));
    }
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => (server.off("error", reject), resolve()));
  });
  const proxy: FaultProxy = {
    port: (server.address() as AddressInfo).port,
    get authUrl() {
      return `http://127.0.0.1:${proxy.port}/auth/v1.0`;
    },
    seen,
    inject(match, fault, times = 1) {
      rules.push({ match, fault, remaining: times });
    },
    sometimes(match, faults, rate, random) {
      randomRules.push({ match, faults, rate, random });
    },
    reset() {
      rules.length = 0;
      randomRules.length = 0;
      seen.length = 0;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

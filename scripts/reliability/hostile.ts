/**
 * Hostile input: the corpus of hostile-cases.ts (FITS, data ids, policies and configurations,
 * registries) run in a child process with a time bound per case, plus malformed HTTP requests to
 * a real `skybutler serve` and malformed pfstorage `--msg` messages to the real CLI. Each must end
 * in a typed error — a ButlerError, a 4xx answer with an `E_` code, an exit status with an
 * `E_CODE:` line — within its time bound; the peak RSS of the processes is reported.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "undici";
import { runCli, startServe, tokenFile } from "../../test/support/cli.js";
import type { RunContext } from "./context.js";
import type { Figure } from "./figures.js";
import { HOSTILE_CASES } from "./hostile-cases.js";
import { SECRETS } from "./secrets.js";

const CHILD = fileURLToPath(new URL("./hostile-child.ts", import.meta.url));
const SECTION = "hostile input";
/** Time bound of one case (a hang is killed there). */
const BOUND_MS = 10_000;

interface Outcome {
  name: string;
  ok: boolean;
  hang?: boolean;
  what: string;
}

/** Runs the section. */
export async function hostile(ctx: RunContext): Promise<Figure[]> {
  const dir = join(ctx.work, "hostile");
  mkdirSync(dir, { recursive: true });
  const { outcomes: library, peakKiB } = await libraryCases(ctx, dir);
  const { outcomes: http, serverPeakKiB } = await httpCases(ctx, dir);
  const msg = await msgCases(ctx, dir);
  const all = [...library, ...http, ...msg];
  const bad = all.filter((o) => !o.ok && !o.hang);
  const hangs = all.filter((o) => o.hang);
  const list = (os: Outcome[]) => (os.length === 0 ? "" : `: ${os.map((o) => `${o.name} (${o.what})`).join("; ")}`);
  return [
    { section: SECTION, scenario: "malformed inputs without a typed error", value: bad.length, promise: "zero", detail: `${all.length} inputs (${library.length} library, ${http.length} HTTP, ${msg.length} --msg)${list(bad)}` },
    { section: SECTION, scenario: `inputs over their time bound (${BOUND_MS / 1000} s)`, value: hangs.length, promise: "zero", detail: list(hangs).slice(2) },
    { section: SECTION, scenario: "peak RSS of the case process (MiB)", value: Math.round(peakKiB / 1024), promise: "info", detail: `skybutler serve: ${Math.round(serverPeakKiB / 1024)} MiB` },
  ];
}

/** The library corpus in a child (restarted after a hang or a crash). */
async function libraryCases(ctx: RunContext, dir: string): Promise<{ outcomes: Outcome[]; peakKiB: number }> {
  const outcomes: Outcome[] = [];
  let peakKiB = 0;
  let rest = HOSTILE_CASES.map((c) => c.name);
  while (rest.length > 0) {
    const batch = rest;
    const done = await new Promise<string[]>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "--max-old-space-size=1024", CHILD, dir, JSON.stringify(batch)], { stdio: ["ignore", "pipe", "pipe"] });
      const finished: string[] = [];
      let current: string | undefined;
      let timer: NodeJS.Timeout | undefined;
      let buffered = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        for (const line of lines) {
          const event = JSON.parse(line) as { start?: string; name?: string; outcome?: string; code?: string; message?: string; ms?: number; maxRssKiB?: number };
          if (event.start !== undefined) {
            current = event.start;
            clearTimeout(timer);
            timer = setTimeout(() => {
              peakKiB = Math.max(peakKiB, hwmKiB(child.pid!));
              outcomes.push({ name: current!, ok: false, hang: true, what: `killed after ${BOUND_MS / 1000} s` });
              finished.push(current!);
              child.kill("SIGKILL");
            }, BOUND_MS);
            continue;
          }
          clearTimeout(timer);
          ctx.watch.add(SECTION, event.message ?? "");
          peakKiB = Math.max(peakKiB, event.maxRssKiB ?? 0);
          outcomes.push({ name: event.name!, ok: event.outcome === "typed", what: event.outcome === "typed" ? event.code! : `${event.outcome}${event.code ? ` ${event.code}` : ""}: ${(event.message ?? "").slice(0, 120)}` });
          finished.push(event.name!);
          current = undefined;
        }
      });
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        ctx.watch.add(`${SECTION} stderr`, stderr);
        if (current !== undefined && !finished.includes(current)) {
          outcomes.push({ name: current, ok: false, what: `the process died (${signal ?? code}): ${stderr.trim().split("\n").pop() ?? ""}` });
          finished.push(current);
        } else if (finished.length === 0) {
          throw new Error(`the hostile-input child failed before its first case (${code}): ${stderr}`);
        }
        resolve(finished);
      });
    });
    rest = rest.filter((name) => !done.includes(name));
  }
  return { outcomes, peakKiB };
}

/** VmHWM (peak resident set) of a live process, KiB; 0 when unknown. */
function hwmKiB(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

interface Answer {
  status: number;
  text: string;
}

/** Malformed requests to a real `skybutler serve`. */
async function httpCases(ctx: RunContext, dir: string): Promise<{ outcomes: Outcome[]; serverPeakKiB: number }> {
  const repo = join(dir, "served");
  mkdirSync(join(repo, "json"), { recursive: true });
  await (await import("../../src/testing/index.js")).Butler.create({ inputs: fileURLToPath(new URL("../../data/testcam-repo", import.meta.url)), outputs: repo }).then((b) => b.close());
  writeFileSync(join(repo, "hello.txt"), "hello");
  const tokens = tokenFile([[SECRETS.token, "write"]]);
  const server = await startServe(["--port", "0", "--repo", `r=${repo}`, "--token-file", tokens.path, "--max-object-bytes", "100000"]);
  const auth = { authorization: `Bearer ${SECRETS.token}` };
  const call = async (path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> => {
    const client = new Client(server.url, { headersTimeout: BOUND_MS, bodyTimeout: BOUND_MS });
    try {
      const res = await client.request({ path, method: (init.method ?? "GET") as "GET", headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) });
      return { status: res.statusCode, text: await res.body.text() };
    } finally {
      void client.close();
    }
  };
  const cases: Array<[string, () => Promise<Answer>]> = [
    ["cmd: malformed JSON", () => call("/api/v1/cmd", { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: "{bad json" })],
    ["cmd: meta a list", () => call("/api/v1/cmd", { method: "POST", headers: auth, body: '{"action":"ls","meta":[1]}' })],
    ["cmd: unknown action", () => call("/api/v1/cmd", { method: "POST", headers: auth, body: '{"action":"frobnicate","meta":{}}' })],
    ["cmd: 2 MB body", () => call("/api/v1/cmd", { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: `{"action":"ls","meta":{"x":"${"x".repeat(2 << 20)}"}}` })],
    ["cmd: objPull outside the data root", () => call("/api/v1/cmd", { method: "POST", headers: auth, body: JSON.stringify({ action: "objPull", meta: { path: "", mapLocationOver: "../outside" } }) })],
    ["object: traversal key", () => call("/api/v1/repos/r/objects/%2e%2e/escape.txt", { method: "PUT", headers: auth, body: "evil" })],
    ["object: bad percent-encoding", () => call("/api/v1/repos/r/objects/%zz%", { headers: auth })],
    ["object: over --max-object-bytes", () => call("/api/v1/repos/r/objects/big.bin", { method: "PUT", headers: auth, body: Buffer.alloc(200_000) })],
    ["object: unsatisfiable Range", () => call("/api/v1/repos/r/objects/hello.txt", { headers: { ...auth, range: "bytes=999999-1" } })],
    ["object: wrong token (a secret-like string)", () => call("/api/v1/repos/r/objects/hello.txt", { method: "PUT", headers: { authorization: `Bearer x${SECRETS.token}` }, body: "x" })],
    ["object: unknown repository", () => call("/api/v1/repos/nosuch/objects/x", { headers: auth })],
    ["dataset: data id of the wrong type", () => call("/api/v1/repos/r/datasets/raw?visit=abc&ccd=0", { headers: auth })],
    ["dataset: unknown type", () => call("/api/v1/repos/r/datasets/noSuchType?visit=1", { headers: auth })],
    ["dataset: 500 query parameters", () => call(`/api/v1/repos/r/datasets/raw?${Array.from({ length: 500 }, (_, i) => `k${i}=${i}`).join("&")}`, { headers: auth })],
  ];
  const outcomes: Outcome[] = [];
  let serverPeakKiB: number;
  try {
    for (const [name, send] of cases) {
      try {
        const a = await send();
        ctx.watch.add(`${SECTION} HTTP response`, a.text);
        let code: unknown;
        try {
          code = (JSON.parse(a.text) as { code?: unknown }).code;
        } catch {
          code = undefined;
        }
        const ok = a.status >= 400 && a.status < 500 && typeof code === "string" && code.startsWith("E_");
        outcomes.push({ name: `HTTP ${name}`, ok, what: `${a.status} ${String(code)}` });
      } catch (err) {
        ctx.watch.addError(SECTION, err);
        const timeout = /timeout/i.test(String((err as Error).name) + String((err as Error).message));
        outcomes.push({ name: `HTTP ${name}`, ok: false, hang: timeout, what: String((err as Error).message).slice(0, 120) });
      }
    }
    serverPeakKiB = hwmKiB(server.child.pid!);
  } finally {
    await server.stop();
    ctx.watch.add(`${SECTION} server log`, server.stderr());
    tokens.remove();
  }
  return { outcomes, serverPeakKiB };
}

/** Malformed pfstorage messages to `skybutler --msg`. */
async function msgCases(ctx: RunContext, dir: string): Promise<Outcome[]> {
  const storage = join(dir, "msg-storage");
  mkdirSync(storage, { recursive: true });
  const messages: Array<[string, string]> = [
    ["malformed JSON", "{not json"],
    ["unknown action", '{"action":"frobnicate","meta":{}}'],
    ["meta a string", '{"action":"ls","meta":"x"}'],
    ["objPull with an object for its path", JSON.stringify({ action: "objPull", meta: { path: { nested: true } } })],
    ["objPut of a missing local path", JSON.stringify({ action: "objPut", meta: { path: join(dir, "nothing-here"), toLocation: "x" } })],
  ];
  const outcomes: Outcome[] = [];
  for (const [name, text] of messages) {
    const r = await runCli(["--msg", text, "--storage", storage], { cwd: dir, timeoutMs: BOUND_MS });
    ctx.watch.add(`${SECTION} --msg`, r.stdout + r.stderr);
    const hang = r.signal === "SIGKILL";
    const ok = !hang && (r.code === 1 || r.code === 2) && /^E_[A-Z_]+: /m.test(r.stderr);
    outcomes.push({ name: `--msg ${name}`, ok, hang, what: `exit ${r.code ?? r.signal}: ${r.stderr.trim().split("\n")[0]?.slice(0, 100) ?? ""}` });
  }
  return outcomes;
}

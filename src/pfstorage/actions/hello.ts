/**
 * `hello`: `meta.askAbout` is `timestamp`, `echoBack` (with `meta.echoBack`) or `sysinfo`.
 * Deviations from pfstorage 2.0.0.2: offered on the command line too; `d_ret.name` is `skybutler`
 * with its own version; `sysinfo` (host details) needs the `admin` scope on a server.
 *
 * @packageDocumentation
 */
import os from "node:os";
import type { PfContext } from "../pf-context.js";
import { packageVersion } from "../package-version.js";
import { metaString } from "./meta-values.js";


/** `%Y%m%d%H%M%S.%f` in local time, as Python's `datetime.now().strftime` gives it. */
function timestamp(d = new Date()): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

/** CPU use over a short interval, in percent of all cores (psutil's `cpu_percent(interval)`). */
async function cpuPercent(ms = 100): Promise<number> {
  const sample = (): { idle: number; total: number } =>
    os.cpus().reduce((acc, c) => ({ idle: acc.idle + c.times.idle, total: acc.total + Object.values(c.times).reduce((a, b) => a + b, 0) }), { idle: 0, total: 0 });
  const a = sample();
  await new Promise((r) => setTimeout(r, ms));
  const b = sample();
  const total = b.total - a.total;
  return total <= 0 ? 0 : Math.round(1000 * (1 - (b.idle - a.idle) / total)) / 10;
}

async function sysinfo(): Promise<Record<string, unknown>> {
  const total = os.totalmem();
  const free = os.freemem();
  const inet = Object.values(os.networkInterfaces()).flat().find((i) => i !== undefined && i.family === "IPv4" && !i.internal)?.address ?? "127.0.0.1";
  return {
    system: os.type(),
    machine: os.machine(),
    platform: `${os.type()}-${os.release()}-${os.machine()}`,
    uname: [os.type(), os.hostname(), os.release(), os.version(), os.machine(), os.machine()],
    version: os.version(),
    // psutil's virtual_memory() leads with total, available, percent, used, free
    memory: [total, free, Math.round((1000 * (total - free)) / total) / 10, total - free, free],
    cpucount: os.cpus().length,
    loadavg: os.loadavg(),
    cpu_percent: await cpuPercent(),
    hostname: os.hostname(),
    inet,
  };
}

/** Runs `hello`. */
export async function helloAction(meta: Readonly<Record<string, unknown>>, ctx: PfContext): Promise<Record<string, unknown>> {
  const askAbout = metaString(meta, "askAbout");
  ctx.authorize(askAbout === "sysinfo" ? "admin" : "read", askAbout === "sysinfo" ? "hello sysinfo" : "hello");
  if (askAbout === undefined) return { d_ret: {}, status: false };
  const d_ret: Record<string, unknown> = { name: "skybutler", version: packageVersion() };
  if (askAbout === "timestamp") d_ret.timestamp = { now: timestamp() };
  else if (askAbout === "echoBack") d_ret.echoBack = { msg: metaString(meta, "echoBack") ?? "" };
  else if (askAbout === "sysinfo") d_ret.sysinfo = await sysinfo();
  else return { d_ret, status: false };
  return { d_ret, status: true };
}

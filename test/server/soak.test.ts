/**
 * A long-lived server stays "respectful of system resources" (Mezeo): 10,000 requests through a real
 * `skybutler serve` over a stacked module — encrypt over checksum over Posix — mixed PUT, GET (whole
 * and ranged), HEAD, DELETE and listings of small (≤ 4 KiB) and medium (64–256 KiB) objects, 8 at a
 * time over 8 kept-alive connections. Every answer is checked against what was written. The server's
 * RSS (/proc/PID/status) and open file descriptors (/proc/PID/fd) are sampled every 1,000 requests,
 * and with no request in flight after a warm-up of 2,000 and at the end: the descriptors must be
 * back where they were, RSS within a bound of the warm-up's, and the figures are printed.
 */
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Pool } from "undici";
import { mulberry32 } from "../support/seeded-random.js";
import { startServe, tokenFile, TOKENS, type ServeProcess } from "../support/cli.js";
import { modulesSandbox, type ModulesSandbox } from "../support/module-stacks.js";

const REQUESTS = 10_000;
const WORKERS = 8;
const KEYS_PER_WORKER = 24;
const SAMPLE_EVERY = 1_000;
/** Samples before this many requests are the warm-up (V8's heap and fastify's caches settle). */
const WARM_UP = 2_000;
const MiB = 1024 * 1024;
/**
 * Bound on RSS growth from the end of the warm-up to any later sample: what requests in flight and
 * V8's lazier collections under load may hold (measured +4 to +29 MiB on a loaded 2-core machine), far
 * below what a leak of a few KiB per request would add over 8,000 requests.
 */
const MAX_RSS_GROWTH = 48 * MiB;

interface Sample {
  requests: number;
  rss: number;
  fds: number;
  /** What the descriptors are (socket:[…], a path, anon_inode:[eventpoll] …), for a failure's message. */
  targets: string[];
}

async function sample(pid: number, requests: number): Promise<Sample> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
  const fds = await readdir(`/proc/${pid}/fd`);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => "(closed)")));
  return { requests, rss, fds: fds.length, targets: targets.map((t) => t.replace(/\[\d+\]$/, "[…]")).sort() };
}

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

describe("skybutler serve soak: 10,000 requests over encrypt/checksum/Posix", function () {
  this.timeout(300_000);
  let box: ModulesSandbox;
  let tokens: ReturnType<typeof tokenFile>;
  let server: ServeProcess;
  let pool: Pool;

  before(async () => {
    box = await modulesSandbox((dir) => ({
      checked: { module: "skybutler:checksum", args: { over: pathToFileURL(join(dir, "base")).href } },
      secure: { module: "skybutler:encrypt", args: { over: "checked://", keyFile: join(dir, "key.hex") } },
    }));
    await writeFile(join(box.sandbox, "key.hex"), randomBytes(32).toString("hex"), { mode: 0o600 });
    tokens = tokenFile([[TOKENS.write, "write"]]);
    server = await startServe(["--port", "0", "--repo", "soak=secure://r", "--token-file", tokens.path, "--quiet"]);
    pool = new Pool(server.url, { connections: WORKERS, pipelining: 1 });
  });
  after(async () => {
    await pool?.close();
    await server?.stop();
    tokens?.remove();
    await box?.cleanup();
  });

  it("answers every request correctly while RSS and open file descriptors stay flat", async () => {
    const pid = server.child.pid!;
    const auth = { authorization: `Bearer ${TOKENS.write}` };
    const path = (key: string): string => `/api/v1/repos/soak/objects/${key}`;
    const samples: Sample[] = [await sample(pid, 0)];
    const counts: Record<string, number> = { put: 0, get: 0, range: 0, head: 0, delete: 0, list: 0 };
    let done = 0;
    const started = Date.now();

    const randoms = Array.from({ length: WORKERS }, (_, w) => mulberry32(1000 + w));
    /** What each worker's keys hold now (no other worker touches them). */
    const helds = Array.from({ length: WORKERS }, () => new Map<string, Buffer>());
    async function worker(w: number, until: number): Promise<void> {
      const random = randoms[w]!;
      const held = helds[w]!;
      const medium = (i: number): boolean => i % 6 === 0;
      const keyOf = (i: number): string => `w${w}/${medium(i) ? "medium" : "small"}/k${i}`;
      while (done < until) {
        const i = Math.floor(random() * KEYS_PER_WORKER);
        const key = keyOf(i);
        const have = held.get(key);
        const roll = random();
        if (have === undefined || roll < 0.2) {
          const size = medium(i) ? 64 * 1024 + Math.floor(random() * 192 * 1024) : 1 + Math.floor(random() * 4096);
          const body = randomBytes(size);
          const res = await pool.request({ method: "PUT", path: path(key), headers: auth, body });
          await res.body.dump();
          expect(res.statusCode, `PUT ${key}`).to.equal(201);
          held.set(key, body);
          counts.put!++;
        } else if (roll < 0.5) {
          const res = await pool.request({ method: "GET", path: path(key), headers: auth });
          const bytes = Buffer.from(await res.body.arrayBuffer());
          expect([res.statusCode, sha(bytes)], `GET ${key}`).to.deep.equal([200, sha(have)]);
          counts.get!++;
        } else if (roll < 0.62) {
          const start = Math.floor(random() * have.length);
          const end = Math.min(have.length - 1, start + Math.floor(random() * 70_000));
          const res = await pool.request({ method: "GET", path: path(key), headers: { ...auth, range: `bytes=${start}-${end}` } });
          const bytes = Buffer.from(await res.body.arrayBuffer());
          expect([res.statusCode, sha(bytes)], `GET ${key} bytes=${start}-${end}`).to.deep.equal([206, sha(have.subarray(start, end + 1))]);
          counts.range!++;
        } else if (roll < 0.77) {
          const res = await pool.request({ method: "HEAD", path: path(key), headers: auth });
          await res.body.dump();
          expect([res.statusCode, Number(res.headers["content-length"])], `HEAD ${key}`).to.deep.equal([200, have.length]);
          counts.head!++;
        } else if (roll < 0.87) {
          const res = await pool.request({ method: "DELETE", path: path(key), headers: auth });
          await res.body.dump();
          expect(res.statusCode, `DELETE ${key}`).to.equal(204);
          held.delete(key);
          counts.delete!++;
        } else {
          const res = await pool.request({ method: "GET", path: `/api/v1/repos/soak/objects?prefix=w${w}/`, headers: auth });
          const keys = (await res.body.text()).split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as string);
          expect([res.statusCode, keys.sort()], `list w${w}/`).to.deep.equal([200, [...held.keys()].sort()]);
          counts.list!++;
        }
        done++;
        if (done % SAMPLE_EVERY === 0) samples.push(await sample(pid, done));
      }
    }

    const run = (until: number): Promise<unknown> => Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w, until)));
    await run(WARM_UP);
    const quietBase = await sample(pid, done);
    await run(REQUESTS);
    const quietEnd = await sample(pid, done);
    const seconds = (Date.now() - started) / 1000;
    const rssGrowth = Math.max(quietEnd.rss, ...samples.filter((s) => s.requests > WARM_UP).map((s) => s.rss)) - quietBase.rss;
    const mib = (n: number): string => (n / MiB).toFixed(1);
    console.log(
      `      soak: ${done} requests in ${seconds.toFixed(1)} s (${(done / seconds).toFixed(0)}/s; ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(", ")})\n` +
        `      server RSS MiB by 1,000 requests: ${samples.map((s) => mib(s.rss)).join(" ")}\n` +
        `      server open fds:                  ${samples.map((s) => s.fds).join(" ")}\n` +
        `      no request in flight, after the warm-up (${quietBase.requests}) / at the end (${quietEnd.requests}): RSS ${mib(quietBase.rss)} / ${mib(quietEnd.rss)} MiB, ` +
        `largest growth +${mib(rssGrowth)} MiB (bound ${mib(MAX_RSS_GROWTH)}); fds ${quietBase.fds} / ${quietEnd.fds}`,
    );
    expect(done).to.be.at.least(REQUESTS);
    expect(Object.values(counts).every((n) => n > 100), JSON.stringify(counts)).to.equal(true);
    expect(rssGrowth, "RSS growth after the warm-up").to.be.below(MAX_RSS_GROWTH);
    // with no request in flight the descriptors are the same, but for kept-alive connections the client may have opened or closed
    const sockets = (x: Sample): number => x.targets.filter((t) => t.startsWith("socket:")).length;
    expect(quietEnd.targets.filter((t) => !t.startsWith("socket:")), "open files and pipes with no request in flight").to.deep.equal(quietBase.targets.filter((t) => !t.startsWith("socket:")));
    expect(sockets(quietEnd), "sockets: the listening ones and at most one per client connection").to.be.at.most(sockets(samples[0]!) + WORKERS);
  });
});

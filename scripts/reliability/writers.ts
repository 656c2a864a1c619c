/**
 * Writer processes (writer.mjs over the built dist/) for the crash and concurrency sections: each
 * reports its acknowledged puts; a kill rule ends it with SIGKILL at a point of its run.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { SecretWatch } from "./secrets.js";

const WRITER = fileURLToPath(new URL("./writer.mjs", import.meta.url));

/** What writer.mjs is told to do. */
export interface WriterSpec {
  root: string;
  storageOptions?: Record<string, unknown>;
  w: number;
  count: number;
  kib: number;
  doBackup?: boolean;
  /** Visit of put i: base + i … */
  base?: number;
  /** … or 1 + (i % shared) when shared is positive. */
  shared?: number;
}

/** How a writer run ended. */
export interface WriterRun {
  /** Acknowledged puts, in order: [visit, i]. */
  acks: Array<[number, number]>;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs a writer; when `killAfterAcks` is given, sends SIGKILL `killDelayMs` after that many
 * acknowledgements (0: after start-up, as soon as its first put is under way).
 */
export function runWriter(spec: WriterSpec, watch: SecretWatch, kill?: { afterAcks: number; delayMs: number }): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, JSON.stringify(spec)], { stdio: ["ignore", "pipe", "pipe"] });
    const run: WriterRun = { acks: [], code: null, signal: null };
    let buffered = "";
    let stderr = "";
    let armed = false;
    const arm = () => {
      if (armed || kill === undefined) return;
      armed = true;
      setTimeout(() => child.kill("SIGKILL"), kill.delayMs);
    };
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const m = /^ack (\d+) (\d+)$/.exec(line);
        if (m !== null) run.acks.push([Number(m[1]), Number(m[2])]);
        else watch.add("writer stdout", line);
      }
      if (kill !== undefined && run.acks.length >= kill.afterAcks && kill.afterAcks > 0) arm();
    });
    if (kill?.afterAcks === 0) arm();
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      watch.add("writer stderr", stderr);
      if (signal === null && code !== 0) process.stderr.write(`reliability: writer ${spec.w} exited with ${code}: ${stderr.slice(0, 2000)}\n`);
      resolve({ ...run, code, signal });
    });
  });
}

/**
 * One storlet invocation: a fresh process in the sandbox, its inputs fed in, its metadata and
 * output read out, under a wall-clock limit on silence — upstream's 40 s to the first output and
 * between outputs, except that a stall is an error here, never a silently short body.
 *
 * @packageDocumentation
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chown, copyFile, chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable, type Writable } from "node:stream";
import { StorletError } from "../errors.js";
import { tempRoot } from "../temp/index.js";
import { FramedFeeder, RawFeeder, type InputFeeder } from "./input-feeders.js";
import { LogTail } from "./log-tail.js";
import { metadataValues } from "./storlet-metadata.js";
import { codePathInside, SANDBOX_UID, sandboxCommand, sandboxMode, type StorletLanguage } from "./sandbox.js";
import type { StorletInput } from "./storlet-input.js";

/** A file of a storlet's code: the storlet itself or a dependency. */
export interface CodeFile {
  /** Its name in the storlet's directory (the object name). */
  name: string;
  /** Where its bytes are. */
  path: string;
  /** Permission bits the storlet sees (dependencies: upstream's `perm & 0700`, default 0600). */
  mode: number;
}

/** The code of a storlet, ready to run. */
export interface StorletCode {
  language: StorletLanguage;
  /** `module.Class`. */
  main: string;
  /** The storlet's own file (its name is the module's file name). */
  storlet: CodeFile;
  /** Its dependencies, in the same directory. */
  dependencies: CodeFile[];
}

/** Limits of one invocation. */
export interface StorletLimits {
  /** Longest silence: to the metadata and first byte, and between outputs while the reader waits. Default 40 s. */
  timeoutMs: number;
  /** Memory limit in MiB. Default 512. */
  memoryMiB: number;
}

/** The default limits (upstream's `storlet_timeout` is 40 s). */
export const DEFAULT_STORLET_LIMITS: StorletLimits = { timeoutMs: 40_000, memoryMiB: 512 };

/** A storlet that started well: its metadata, and its output as it comes. */
export interface StorletOutput {
  /** What the storlet passed to `set_metadata`, values as strings. */
  metadata: Record<string, string>;
  /**
   * The output bytes. It ends only once the process exited well; a failure after the first byte
   * destroys it with a {@link StorletError} (phase "stream"), so a reader never takes a cut body
   * for a whole one. Destroying it kills the process.
   */
  body: Readable;
  /** The storlet's log so far (its last 64 KiB). */
  log(): string;
}

/** A storlet to run. */
export interface StorletRunRequest {
  code: StorletCode;
  inputs: StorletInput[];
  params: Record<string, string>;
  limits: StorletLimits;
}

/**
 * Starts a storlet and resolves once it set its metadata and produced its first byte (or ended
 * well without one), so that a caller can still answer with an error status when it fails before.
 * @throws StorletError (phase "start") when it fails, stalls or runs out of memory before that
 */
export async function runStorletProcess(request: StorletRunRequest): Promise<StorletOutput> {
  const { mode, userns } = await sandboxMode();
  const dir = await mkdtemp(join(tempRoot(), "storlet-"));
  try {
    const codeDir = join(dir, "code");
    const rootDir = join(dir, "root");
    await stageCode(request.code, codeDir, mode === "namespaces" && !userns);
    await mkdir(rootDir);
    const command = sandboxCommand({ mode, userns, language: request.code.language, rootDir, codeDir, memoryMiB: request.limits.memoryMiB });
    const inputs = request.inputs.length;
    const child = spawn(command.command, command.args, {
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe", "pipe", ...Array<"pipe">(inputs).fill("pipe")],
      env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", HOME: "/tmp" },
      // a group of its own: a kill reaches the storlet too, which has dropped to another user and
      // so lost the parent-death signal `unshare --kill-child` gave it
      detached: true,
    });
    return await new StorletRun(child, request, codePathInside({ mode, codeDir }), mode === "permissions", () => rm(dir, { recursive: true, force: true })).started;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Copies the code into the invocation's directory, readable by the sandbox's user only. */
async function stageCode(code: StorletCode, codeDir: string, asSandboxUser: boolean): Promise<void> {
  await mkdir(codeDir, { mode: 0o700 });
  const files = [{ ...code.storlet, mode: 0o400 }, ...code.dependencies.map((d) => ({ ...d, mode: d.mode & 0o700 }))];
  for (const file of files) {
    const to = join(codeDir, file.name);
    await copyFile(file.path, to);
    await chmod(to, file.mode);
    if (asSandboxUser) await chown(to, SANDBOX_UID, SANDBOX_UID);
  }
  await chmod(codeDir, 0o500);
  if (asSandboxUser) await chown(codeDir, SANDBOX_UID, SANDBOX_UID);
}

/** The state of one running invocation. */
class StorletRun {
  readonly started: Promise<StorletOutput>;
  readonly #child: ChildProcess;
  readonly #name: string;
  readonly #limits: StorletLimits;
  readonly #log = new LogTail(64 * 1024);
  readonly #feeders: InputFeeder[];
  readonly #cleanup: () => Promise<void>;
  readonly #body: Readable;
  #resolve!: (output: StorletOutput) => void;
  #reject!: (err: StorletError) => void;
  #metadata: Record<string, string> | undefined;
  #firstByte = false;
  #outputEnded = false;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #failure: StorletError | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timedOut = false;
  #settled = false;

  constructor(child: ChildProcess, request: StorletRunRequest, codePath: string, restrict: boolean, cleanup: () => Promise<void>) {
    this.#child = child;
    this.#name = request.code.main;
    this.#limits = request.limits;
    this.#cleanup = cleanup;
    this.started = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const stdio = child.stdio as unknown as Array<Readable & Writable>;
    const output = stdio[5]!;
    this.#body = new Readable({
      highWaterMark: 256 * 1024,
      read: () => {
        output.resume();
        this.#arm();
      },
      destroy: (err, done) => {
        // the reader went away (or the run failed): the process has nothing more to do
        this.#kill();
        done(err);
      },
    });
    child.stdout!.on("data", (d: Buffer) => this.#log.add(d));
    child.stderr!.on("data", (d: Buffer) => this.#log.add(d));
    child.on("error", (err) => this.#fail(`could not be started: ${err.message}`, err));
    child.on("close", (code, signal) => {
      this.#exit = { code, signal };
      this.#finish();
    });
    this.#readEvents(stdio[4]!);
    output.on("data", (chunk: Buffer) => {
      this.#disarm();
      this.#firstByte = true;
      if (!this.#body.push(chunk)) output.pause();
      else this.#arm();
      this.#maybeStarted();
    });
    output.on("end", () => {
      this.#outputEnded = true;
      this.#finish();
    });
    output.on("error", () => undefined);
    const control = stdio[3]!;
    control.on("error", () => undefined);
    const inputFds = request.inputs.map((_, i) => 6 + i);
    control.end(
      JSON.stringify({
        file: request.code.storlet.name,
        main: request.code.main,
        dir: codePath,
        params: request.params,
        inputs: request.inputs.map((i) => i.metadata),
        sizes: request.inputs.map((i) => i.size ?? null),
        seekable: request.inputs.map((i) => i.seekable),
        inputFds,
        restrict,
        allowed: [codePath, "/usr", "/etc/localtime", "/dev/null", "/dev/urandom", "/proc/self"],
      }),
    );
    const onInputError = (index: number, err: Error): void => this.#fail(`input ${index} could not be read: ${err.message}`, err);
    this.#feeders = request.inputs.map((input, i) => {
      const pipe = stdio[6 + i]!;
      const feeder = request.code.language === "javascript" ? new FramedFeeder(input, pipe, (err) => onInputError(i, err)) : new RawFeeder(input, pipe, (err) => onInputError(i, err));
      feeder.start();
      return feeder;
    });
    this.#arm();
  }

  /** Events are handled as they arrive (not in a later microtask): the exit must find them all applied. */
  #readEvents(events: Readable): void {
    let pending = "";
    events.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      try {
        for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          this.#event(line);
        }
        if (pending.length > 64 * 1024) throw new Error("an event line is too long");
      } catch (err) {
        this.#fail(`sent a malformed event: ${(err as Error).message}`, err);
      }
    });
    events.on("error", () => undefined);
  }

  #event(line: string): void {
    const message = JSON.parse(line) as { t: string; md?: unknown; i?: number; g?: number; offset?: number };
    if (message.t === "metadata") {
      if (this.#metadata !== undefined) throw new Error("metadata was sent twice");
      this.#disarm();
      this.#metadata = metadataValues(message.md);
      this.#arm();
      this.#maybeStarted();
    } else if (message.t === "seek") {
      this.#feeders[message.i ?? -1]?.seek(message.g ?? 0, message.offset ?? 0);
    } else if (message.t === "close") {
      this.#feeders[message.i ?? -1]?.stop();
    }
  }

  /** Starts the silence timer, unless it runs or the reader is not waiting. */
  #arm(): void {
    if (this.#timer !== undefined || this.#settledBody()) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timedOut = true;
      const what = this.#metadata === undefined ? "set no metadata" : this.#firstByte ? "produced no output" : "produced no first byte";
      this.#fail(`${what} within ${this.#limits.timeoutMs / 1000} s and was stopped`);
    }, this.#limits.timeoutMs);
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #settledBody(): boolean {
    return this.#failure !== undefined || this.#body.readableEnded || this.#body.destroyed;
  }

  #maybeStarted(): void {
    if (this.#settled || this.#metadata === undefined) return;
    if (!this.#firstByte && !(this.#outputEnded && this.#exit?.code === 0)) return;
    this.#settled = true;
    this.#resolve({ metadata: this.#metadata, body: this.#body, log: () => this.#log.text() });
  }

  /** Called when the output ended and when the process exited: both are needed for success. */
  #finish(): void {
    if (this.#exit === undefined || !this.#outputEnded) {
      if (this.#exit !== undefined && this.#exit.code !== 0) this.#failExit();
      return;
    }
    if (this.#exit.code !== 0 || this.#timedOut) {
      this.#failExit();
      return;
    }
    if (this.#metadata === undefined) {
      this.#fail("ended without setting its metadata (set_metadata/setMetadata must be called before any output)");
      return;
    }
    this.#disarm();
    this.#maybeStarted();
    if (this.#failure === undefined) {
      this.#stopFeeders();
      // the invocation's files are gone before the reader sees the end
      void this.#cleanup().finally(() => this.#body.push(null));
    }
  }

  #failExit(): void {
    if (this.#failure !== undefined) return;
    const { code, signal } = this.#exit!;
    const log = this.#log.text();
    if (/MemoryError|heap out of memory|Array buffer allocation failed|Cannot allocate memory|Failed to reserve virtual memory|RangeError: Invalid array length/.test(log) || signal === "SIGTRAP" || signal === "SIGABRT") {
      this.#fail(`ran out of memory (its limit is ${this.#limits.memoryMiB} MiB)`);
    } else {
      this.#fail(signal === null ? `failed (exit status ${code}); see its log` : `was killed by ${signal}`);
    }
  }

  #fail(why: string, cause?: unknown): void {
    if (this.#failure !== undefined) return;
    const phase = this.#settled ? "stream" : "start";
    const failure = new StorletError(`storlet ${this.#name} ${why}`, { phase, log: this.#log.text(), ...(cause === undefined ? {} : { cause }) });
    this.#failure = failure;
    this.#disarm();
    this.#kill();
    this.#stopFeeders();
    const settled = this.#settled;
    this.#settled = true;
    // the invocation's files are gone before anyone hears of the failure
    void this.#cleanup().finally(() => {
      if (settled) this.#body.destroy(failure);
      else {
        this.#reject(failure);
        this.#body.destroy();
      }
    });
  }

  #stopFeeders(): void {
    for (const feeder of this.#feeders ?? []) feeder.stop();
  }

  #kill(): void {
    if (this.#exit !== undefined || this.#child.pid === undefined) return;
    try {
      process.kill(-this.#child.pid, "SIGKILL");
    } catch {
      // the group is gone already
    }
  }
}

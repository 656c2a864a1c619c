/**
 * Runs storlets with the limits of a deployment: each invocation a sandboxed process of its own
 * (`storlet-process.ts`), at most N at once per storlet (upstream's daemon pool of 5), the others
 * waiting their turn, and a bounded queue beyond which a caller is told to come back later. The
 * CLI's local runs and the server's use the same runner, hence the same rules.
 *
 * @packageDocumentation
 */
import { finished } from "node:stream";
import { StorageError } from "../errors.js";
import { DEFAULT_STORLET_LIMITS, runStorletProcess, type StorletCode, type StorletLimits, type StorletOutput } from "./storlet-process.js";
import type { StorletInput } from "./storlet-input.js";

/** Settings of a {@link StorletRunner}. */
export interface StorletRunnerOptions {
  /** Time and memory limits of each invocation. */
  limits?: Partial<StorletLimits>;
  /** Invocations of one storlet at once. Default 5 (upstream's `storlet_daemon_thread_pool_size`). */
  maxConcurrent?: number;
  /** Invocations of one storlet waiting for a turn before more are refused. Default 100. */
  maxWaiting?: number;
}

/** One invocation. */
export interface StorletInvocation {
  /** Which storlet (the unit of concurrency): e.g. `AUTH_test/simple.py`. Default the code's main. */
  key?: string;
  code: StorletCode;
  inputs: StorletInput[];
  params: Record<string, string>;
}

/** Turns of one storlet. */
class Turns {
  running = 0;
  readonly waiting: Array<() => void> = [];
}

/**
 * ```ts
 * const runner = new StorletRunner({ limits: { timeoutMs: 40_000, memoryMiB: 512 }, maxConcurrent: 5 });
 * const out = await runner.run({ code, inputs: [await fileInput("calexp.fits")], params: { x0: "10" } });
 * out.body.pipe(process.stdout);
 * ```
 */
export class StorletRunner {
  /** The limits every invocation gets. */
  readonly limits: StorletLimits;
  readonly #maxConcurrent: number;
  readonly #maxWaiting: number;
  readonly #turns = new Map<string, Turns>();

  /** @param options - limits and concurrency */
  constructor(options: StorletRunnerOptions = {}) {
    this.limits = { ...DEFAULT_STORLET_LIMITS, ...options.limits };
    this.#maxConcurrent = options.maxConcurrent ?? 5;
    this.#maxWaiting = options.maxWaiting ?? 100;
  }

  /**
   * Runs a storlet once its turn comes; resolves when it set its metadata and produced its first
   * byte (or ended well). The turn is held until its output is read to the end or abandoned.
   * @throws StorletError when it fails before its first byte; StorageError E_UNAVAILABLE when too
   *   many invocations of this storlet are waiting already
   */
  async run(invocation: StorletInvocation): Promise<StorletOutput> {
    const key = invocation.key ?? invocation.code.main;
    const release = await this.#enter(key);
    try {
      const output = await runStorletProcess({ code: invocation.code, inputs: invocation.inputs, params: invocation.params, limits: this.limits });
      finished(output.body, release);
      return output;
    } catch (err) {
      release();
      throw err;
    }
  }

  async #enter(key: string): Promise<() => void> {
    let turns = this.#turns.get(key);
    if (turns === undefined) this.#turns.set(key, (turns = new Turns()));
    if (turns.running >= this.#maxConcurrent) {
      if (turns.waiting.length >= this.#maxWaiting) {
        throw new StorageError(`storlet ${key} is busy (${turns.running} running, ${turns.waiting.length} waiting); try again later`, { code: "E_UNAVAILABLE" });
      }
      await new Promise<void>((resolve) => turns.waiting.push(resolve));
    } else turns.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = turns.waiting.shift();
      if (next !== undefined) next();
      else if (--turns.running === 0) this.#turns.delete(key);
    };
  }
}

/**
 * Known fake secrets the whole run carries (in the environment and in configurations), and the
 * collector of every text the run produces that a user could see: error messages, log lines
 * (stderr of this process and of every child), server responses. At the end each text is
 * searched for every secret, as written and URL-encoded.
 */

/** The fake secrets: distinctive, so that a hit is never a coincidence. */
export const SECRETS = {
  swiftKey: "FAKEswiftKEY-7f3a9c1e",
  osPassword: "FAKEosPASSWORD-51be0d2a",
  token: "FAKEserveTOKEN-9d04c7e6b2a8f1d3",
  pgPassword: "FAKEpgPASSWORD-3e8a6f",
  urlPassword: "FAKEurlPASS-c0ffee42",
} as const;

/** Everything the run printed or answered, by origin. */
export class SecretWatch {
  readonly #texts: Array<{ origin: string; text: string }> = [];

  /** Keeps a text produced by `origin` (an error message, a log, a response body). */
  add(origin: string, text: string): void {
    if (text.length > 0) this.#texts.push({ origin, text });
  }

  /** Keeps an error's message, its causes' messages and its stack. */
  addError(origin: string, err: unknown): void {
    for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
      this.add(origin, e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e));
    }
  }

  /** Texts kept. */
  get count(): number {
    return this.#texts.length;
  }

  /** Every (origin, secret) found. */
  leaks(): Array<{ origin: string; secret: string }> {
    const needles = Object.entries(SECRETS).flatMap(([name, value]) => [[name, value], [name, encodeURIComponent(value)]]);
    const found: Array<{ origin: string; secret: string }> = [];
    for (const { origin, text } of this.#texts) {
      for (const [name, value] of needles) if (text.includes(value!)) found.push({ origin, secret: name! });
    }
    return found;
  }

  /**
   * Captures this process's stderr and console while `fn` runs (still printing it), so that log
   * lines the library writes are searched too.
   */
  async capturing<T>(fn: () => Promise<T>): Promise<T> {
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      this.add("stderr", typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    try {
      return await fn();
    } finally {
      process.stderr.write = write;
    }
  }
}

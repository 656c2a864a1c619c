/**
 * What the command line prints: results on stdout (as text, or as JSON with `--json`), nothing
 * but errors with `--quiet`, and every error as one `E_CODE: message` line on stderr.
 *
 * @packageDocumentation
 */
import { ButlerError } from "../errors.js";

/** The output flags every command accepts. */
export interface OutputFlags {
  quiet?: boolean;
  json?: boolean;
}

/**
 * ```ts
 * const out = new CliOutput({ json: false, quiet: false });
 * out.line("raw/v1.fits");
 * out.error(err);   // "E_NOT_FOUND: no object at key …" on stderr
 * ```
 */
export class CliOutput {
  readonly json: boolean;
  readonly quiet: boolean;

  /** @param flags - `--json`, `--quiet` */
  constructor(flags: OutputFlags) {
    this.json = flags.json === true;
    this.quiet = flags.quiet === true;
  }

  /** Whether progress may be drawn: a terminal on stderr, neither `--quiet` nor `--json`. */
  get interactive(): boolean {
    return process.stderr.isTTY === true && !this.quiet && !this.json;
  }

  /** A line of text on stdout (not with `--json`, which prints data instead). */
  line(text: string): void {
    if (!this.json) process.stdout.write(`${text}\n`);
  }

  /** A summary or note on stdout, suppressed by `--quiet` and `--json`. */
  note(text: string): void {
    if (!this.quiet && !this.json) process.stdout.write(`${text}\n`);
  }

  /** Data as JSON on stdout (with `--json` only). */
  data(value: unknown): void {
    if (this.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One `E_CODE: message` line on stderr (even with `--quiet`). */
  error(err: unknown, context?: string): void {
    process.stderr.write(`${errorLine(err, context)}\n`);
  }
}

/** `E_CODE: message`, on one line, for any error (`E_INTERNAL` marks a bug: not one of skybutler's errors). */
export function errorLine(err: unknown, context?: string): string {
  const code = err instanceof ButlerError ? err.code : "E_INTERNAL";
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, " ");
  return `${code}: ${context === undefined ? "" : `${context}: `}${message}`;
}

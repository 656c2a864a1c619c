/**
 * What a push or a pull did: files transferred, skipped and failed (each failure with its typed
 * error code), bytes and time — for the summary line, `--json`, and pfstorage's lists.
 *
 * @packageDocumentation
 */
import { ButlerError, type ErrorCode } from "../errors.js";

/** One file that could not be transferred. */
export interface TransferFailure {
  /** The object key (as listed, possibly malformed). */
  key: string;
  /** The local path as shown to the user. */
  local: string;
  code: ErrorCode;
  message: string;
}

/** One file transferred or skipped. */
export interface TransferDone {
  key: string;
  local: string;
  bytes: number;
}

/** Collects the outcome of each file of a transfer. */
export class TransferReport {
  readonly transferred: TransferDone[] = [];
  readonly skipped: TransferDone[] = [];
  readonly failed: TransferFailure[] = [];
  readonly #started = performance.now();
  #bytes = 0;

  /** Bytes moved (skipped files not counted). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Seconds since the transfer started. */
  get seconds(): number {
    return (performance.now() - this.#started) / 1000;
  }

  /** Whether every file went through or was skipped. */
  get ok(): boolean {
    return this.failed.length === 0;
  }

  /** Records a transferred file. */
  done(entry: TransferDone): void {
    this.transferred.push(entry);
    this.#bytes += entry.bytes;
  }

  /** Records a file left alone because the other side already had the same content. */
  skip(entry: TransferDone): void {
    this.skipped.push(entry);
  }

  /** Records a failure; errors that are not skybutler's are reported as E_STORAGE with their message. */
  fail(key: string, local: string, err: unknown): void {
    const code: ErrorCode = err instanceof ButlerError ? err.code : "E_STORAGE";
    this.failed.push({ key, local, code, message: err instanceof Error ? err.message : String(err) });
  }

  /** One line: `pushed 3 files (12.0 KiB) in 0.4 s (30.0 KiB/s), 1 skipped, 0 failed`. */
  summary(verb: string): string {
    const n = this.transferred.length;
    const rate = this.seconds > 0 ? `, ${formatBytes(this.#bytes / this.seconds)}/s` : "";
    return `${verb} ${n} file${n === 1 ? "" : "s"} (${formatBytes(this.#bytes)}) in ${this.seconds.toFixed(1)} s${rate}; ${this.skipped.length} skipped, ${this.failed.length} failed`;
  }

  /** The report as plain data (for `--json`). */
  toJSON(): Record<string, unknown> {
    return {
      transferred: this.transferred.length,
      skipped: this.skipped.length,
      failed: this.failed.length,
      bytes: this.#bytes,
      seconds: Number(this.seconds.toFixed(3)),
      failures: this.failed,
    };
  }
}

/** `1.5 MiB`, `512 B`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A progress bar for transfers (cli-progress), drawn on stderr only when it is a terminal and
 * neither `--quiet` nor `--json` was given; otherwise every call is a no-op.
 *
 * @packageDocumentation
 */
import cliProgress from "cli-progress";
import { formatBytes } from "../transfer/transfer-report.js";
import type { CliOutput } from "./cli-output.js";

/** Files and bytes done so far, against a total when it is known. */
export class TransferProgress {
  readonly #bar: cliProgress.SingleBar | undefined;
  #bytes = 0;

  /**
   * @param out - decides whether to draw
   * @param totalFiles - the number of files, when known beforehand
   */
  constructor(out: CliOutput, totalFiles?: number) {
    if (!out.interactive) return;
    const format = totalFiles === undefined ? "{value} files | {bytes}" : "[{bar}] {value}/{total} files | {bytes} | ETA {eta_formatted}";
    this.#bar = new cliProgress.SingleBar({ format, stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
    this.#bar.start(totalFiles ?? 0, 0, { bytes: formatBytes(0) });
  }

  /** One more file, of `bytes`. */
  file(bytes: number): void {
    this.#bytes += bytes;
    this.#bar?.increment(1, { bytes: formatBytes(this.#bytes) });
  }

  /** Removes the bar. */
  stop(): void {
    this.#bar?.stop();
  }
}

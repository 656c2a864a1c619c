/**
 * The end of a push or pull: the summary line (or the report with `--json`), one `E_CODE: message`
 * line per failed file, and exit status 1 when any failed.
 *
 * @packageDocumentation
 */
import type { TransferReport } from "../../transfer/transfer-report.js";
import type { CliOutput } from "../cli-output.js";

/** Prints the outcome and sets the exit status. */
export function finishTransfer(out: CliOutput, report: TransferReport, verb: string): void {
  for (const f of report.failed) process.stderr.write(`${f.code}: ${f.key}: ${f.message.replace(/\s*\n\s*/g, " ")}\n`);
  out.note(report.summary(verb));
  out.data(report.toJSON());
  if (!report.ok) process.exitCode = 1;
}

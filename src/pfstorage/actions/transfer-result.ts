/**
 * pfstorage's answer to objPut/objPull from a transfer report: `status`, the local and object
 * names that went through (in listing or walk order), and — beyond pfstorage, which kept only the
 * last error — every failure with its code.
 *
 * @packageDocumentation
 */
import type { TransferReport } from "../../transfer/transfer-report.js";

/** The pfstorage result; `extra` are the action's own keys (`localpath`, `currentWorkingDir`). */
export function transferResult(report: TransferReport, order: ReadonlyArray<{ key: string; shown: string }>, extra: Record<string, unknown>): Record<string, unknown> {
  const ok = new Set([...report.transferred, ...report.skipped].map((d) => d.local));
  const good = order.filter((item) => ok.has(item.shown));
  const result: Record<string, unknown> = {
    status: report.ok,
    localFileList: good.map((item) => item.shown),
    objectFileList: good.map((item) => item.key),
    ...extra,
  };
  if (!report.ok) {
    const last = report.failed[report.failed.length - 1]!;
    result.error = `${last.code}: ${last.message}`;
    result.errors = report.failed;
  }
  return result;
}

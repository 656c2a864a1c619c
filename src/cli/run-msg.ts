/**
 * `skybutler --msg '<json>'`: pfstorage's command-line mode. The result is printed as pfstorage
 * printed it (`json.dumps(…, indent=4)`); unlike pfstorage, the exit status is 1 when `status` is
 * false (2 for a usage error: a malformed message, a missing storage flag), with one
 * `E_CODE: message` line on stderr.
 *
 * @packageDocumentation
 */
import { parseMessage } from "../pfstorage/message.js";
import { LocalArea, type PfContext } from "../pfstorage/pf-context.js";
import { pfJson } from "../pfstorage/pf-json.js";
import { runMessage } from "../pfstorage/run-message.js";
import type { Storage } from "../storage/index.js";
import { flagStorage, type GlobalFlags } from "./global-options.js";

/**
 * Runs a message against the storage the flags name (opened only if the action needs one).
 * @throws UsageError for a malformed message (exit status 2)
 */
export async function runMsg(text: string, flags: GlobalFlags): Promise<void> {
  const msg = parseMessage(text);
  let storage: Storage | undefined;
  const ctx: PfContext = {
    mode: "cli",
    local: new LocalArea(process.cwd(), false),
    jobs: 8,
    authorize: () => undefined,
    storage: async () => (storage ??= await flagStorage(flags, msg.action === "objPut" || msg.action === "objPush")),
  };
  try {
    const { result } = await runMessage(msg, ctx);
    process.stdout.write(`${pfJson(result)}\n`);
    if (result.status !== true) {
      const code = typeof result.code === "string" ? result.code : ((result.errors as Array<{ code: string }> | undefined)?.[0]?.code ?? "E_STORAGE");
      const message = typeof result.msg === "string" ? result.msg : typeof result.error === "string" ? result.error.replace(/^E_[A-Z_]+: /, "") : "the action failed";
      process.stderr.write(`${code}: ${message}\n`);
      process.exitCode = code === "E_USAGE" ? 2 : 1;
    }
  } finally {
    await storage?.close();
  }
}

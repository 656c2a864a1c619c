/**
 * The child process of the hostile-input section: runs the named cases of hostile-cases.ts one by
 * one, each in a fresh directory, and prints one JSON line per case (`start` before it, so that
 * the parent knows which case hangs). Usage: node --import tsx hostile-child.ts DIR JSON-LIST-OF-NAMES
 */
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ButlerError } from "../../src/testing/index.js";
import { HOSTILE_CASES } from "./hostile-cases.js";

const [dir, namesJson] = process.argv.slice(2);
const names = JSON.parse(namesJson!) as string[];
for (const name of names) {
  const hostile = HOSTILE_CASES.find((c) => c.name === name)!;
  const caseDir = mkdtempSync(join(dir!, "case-"));
  process.stdout.write(`${JSON.stringify({ start: name })}\n`);
  const started = Date.now();
  let outcome: "typed" | "untyped" | "accepted";
  let code: string | undefined;
  let message = "";
  try {
    await hostile.run(caseDir);
    outcome = "accepted";
  } catch (err) {
    outcome = err instanceof ButlerError ? "typed" : "untyped";
    code = err instanceof ButlerError ? err.code : (err as Error)?.name;
    message = err instanceof Error ? err.message : String(err);
  }
  rmSync(caseDir, { recursive: true, force: true });
  const maxRssKiB = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify({ name, outcome, code, message: message.slice(0, 2000), ms: Date.now() - started, maxRssKiB })}\n`);
}

/**
 * Every file below a directory: what the suites use to prove that no temp file survived.
 *
 * @packageDocumentation
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every file (not directory) below `dir`; none when it does not exist. */
export function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesBelow(p));
    else out.push(p);
  }
  return out;
}

/**
 * skybutler's version, from its package.json (found from the source tree and from `dist/` alike).
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The `version` of the nearest package.json named `skybutler` above this module. */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "skybutler") return (cached = pkg.version ?? "0.0.0");
    }
    if (dirname(dir) === dir) return (cached = "0.0.0");
  }
}

#!/usr/bin/env node
// Compiles to dist/ (tsc -p tsconfig.build.json + assets) when a source file is newer than the
// last build, so that tests can drive the built `skybutler` binary without a stale copy. A no-op
// (a directory walk, a few ms) when dist/ is current; about 2 s otherwise.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const stamp = join(root, "dist", ".build-stamp");

function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

const inputs = ["src", "mappers", "registry", "package.json", "tsconfig.json", "tsconfig.build.json", "scripts/copy-assets.mjs", "scripts/bundle-storlets.mjs"].map((p) => join(root, p));
const sources = Math.max(...inputs.filter(existsSync).map(newest));
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources) {
  process.stderr.write("[build] compiling to dist/ (sources changed since the last build)\n");
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  execFileSync(process.execPath, [join(root, "scripts", "copy-assets.mjs")], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  writeFileSync(stamp, new Date().toISOString());
}

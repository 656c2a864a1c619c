#!/usr/bin/env node
// After `tsc`, copy the non-TypeScript files that modules load at run time (mapper policies,
// registry schema) next to their compiled modules in dist/, so `new URL("./policy.yaml",
// import.meta.url)` works the same from source and from the build.
import { cpSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ASSET = /\.(ya?ml|sql)$/;

function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (ASSET.test(name)) cpSync(path, join(root, "dist", relative(root, path)));
  }
}
for (const dir of ["mappers", "registry", "src"]) copyAssets(join(root, dir));
// the repository browser's page, scripts and style sheet, served by `skybutler serve` from beside its routes
cpSync(join(root, "src", "server", "browser"), join(root, "dist", "src", "server", "browser"), { recursive: true });
// the sample repository that `skybutler/testing`'s Butler suite reads, at the same relative place
cpSync(join(root, "data", "testcam-repo"), join(root, "dist", "data", "testcam-repo"), { recursive: true });
// the storlets' host scripts run as they are (in the sandbox); the shipped storlets are bundled
cpSync(join(root, "src", "storlets", "hosts"), join(root, "dist", "src", "storlets", "hosts"), { recursive: true });
const { bundleStorlets } = await import("./bundle-storlets.mjs");
await bundleStorlets(join(root, "dist", "src", "storlets", "builtin", "bundles"));

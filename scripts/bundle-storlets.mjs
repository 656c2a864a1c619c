#!/usr/bin/env node
// Bundles each storlet shipped with skybutler (src/storlets/builtin/<name>.ts) into one
// self-contained ES module (the FITS codec, the renderer and pngjs included): a storlet runs in a
// sandbox that sees only its own file, and is deployed to Swift as one object. Called by
// copy-assets.mjs for dist/, and by the library itself when it runs from source (tests).
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The storlets shipped: file name → source entry point. */
export const BUILTIN_ENTRIES = ["fitscutout", "fitsheader", "thumbnail", "fitscolumns"];

/** Bundles `names` into `outDir/<name>.js` (written beside and renamed: a reader never sees half a file). */
export async function bundleStorlets(outDir, names = BUILTIN_ENTRIES) {
  const { build } = await import("esbuild");
  mkdirSync(outDir, { recursive: true });
  await Promise.all(
    names.filter((name) => existsSync(join(root, "src", "storlets", "builtin", `${name}.ts`))).map(async (name) => {
      const out = join(outDir, `${name}.js`);
      const temp = `${out}.${process.pid}.tmp`;
      await build({
        entryPoints: [join(root, "src", "storlets", "builtin", `${name}.ts`)],
        bundle: true,
        format: "esm",
        platform: "node",
        target: "node20",
        outfile: temp,
        logLevel: "warning",
        legalComments: "none",
        // CommonJS dependencies (pngjs) require Node's modules: give the ES module a require
        banner: { js: 'import { createRequire as __skybutlerRequire } from "node:module"; const require = __skybutlerRequire(import.meta.url);' },
      });
      renameSync(temp, out);
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleStorlets(process.argv[2] ?? join(root, "dist", "src", "storlets", "builtin", "bundles"));

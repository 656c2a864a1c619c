/**
 * The storlets shipped with skybutler — `fitscutout`, `fitsheader`, `thumbnail`, `fitscolumns` —
 * each one self-contained ES module (bundled at build time) that runs in the sandbox like any
 * other JavaScript storlet, and deploys to Swift as one object (`fitscutout.js`).
 *
 * @packageDocumentation
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** A shipped storlet. */
export interface BuiltinStorlet {
  /** Object name when deployed, e.g. `fitscutout.js`. */
  file: string;
  /** `module.Class`. */
  main: string;
  /** One line for `--help`. */
  description: string;
}

/** The shipped storlets by name. */
export const BUILTIN_STORLETS: Readonly<Record<string, BuiltinStorlet>> = {
  fitscutout: { file: "fitscutout.js", main: "fitscutout.FitsCutoutStorlet", description: "a sub-image (hdu, x0, y0, width, height) as FITS, WCS and LTV moved" },
  fitsheader: { file: "fitsheader.js", main: "fitsheader.FitsHeaderStorlet", description: "the headers (hdu; format json or text)" },
  thumbnail: { file: "thumbnail.js", main: "thumbnail.ThumbnailStorlet", description: "a PNG preview (hdu, width; zscale, NaN transparent)" },
  fitscolumns: { file: "fitscolumns.js", main: "fitscolumns.FitsColumnsStorlet", description: "catalog columns and rows (columns, where, format fits or csv)" },
};

/** The name of a shipped storlet a name or file name refers to (`fitscutout`, `fitscutout.js`), if any. */
export function builtinName(name: string): string | undefined {
  const bare = name.replace(/\.m?js$/, "");
  return Object.hasOwn(BUILTIN_STORLETS, bare) ? bare : undefined;
}

const FROM_SOURCE = import.meta.url.endsWith(".ts");
let bundled: Promise<string> | undefined;

/**
 * The bundled file of a shipped storlet: next to this module in a build; bundled once per process
 * into `node_modules/.cache` when running from source.
 * @throws Error when the name is not a shipped storlet, or the build has no bundle (run `npm run build`)
 */
export async function builtinStorletPath(name: string): Promise<string> {
  const storlet = BUILTIN_STORLETS[name];
  if (storlet === undefined) throw new Error(`no shipped storlet "${name}"; they are ${Object.keys(BUILTIN_STORLETS).join(", ")}`);
  if (!FROM_SOURCE) {
    const path = fileURLToPath(new URL(`./builtin/bundles/${name}.js`, import.meta.url));
    if (!existsSync(path)) throw new Error(`the build has no bundle of storlet ${name} (${path}); run npm run build`);
    return path;
  }
  bundled ??= (async () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const dir = join(root, "node_modules", ".cache", "skybutler-storlets", String(process.pid));
    const script = (await import(pathToFileURL(join(root, "scripts", "bundle-storlets.mjs")).href)) as { bundleStorlets(dir: string): Promise<void> };
    await script.bundleStorlets(dir);
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  return join(await bundled, storlet.file);
}

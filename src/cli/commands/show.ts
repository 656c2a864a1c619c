/**
 * `skybutler show <repo> <type> key=value… --png out.png`: a PNG preview of an image dataset (an
 * Exposure, MaskedImage or Image), drawn by `writePng` as the server's browser draws it — the same
 * options give the same bytes — and the mask legend (plane, bit, colour, whether any pixel shows
 * it) on stdout, or everything as JSON with `--json`.
 *
 * ```sh
 * skybutler show ./rerun calexp visit=1 ccd=0 --png calexp.png --width 1024 --mapping asinh --mask
 * ```
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { MAX_SIDE, writePng, type IntervalName, type RenderOptions, type RenderSource, type StretchName } from "../../render/index.js";
import { parseDataId } from "../data-id-args.js";
import { outputOf } from "../global-options.js";
import { withButler } from "../with-butler.js";

interface ShowFlags {
  png: string;
  width?: number;
  height?: number;
  stretch?: IntervalName;
  percentile?: number;
  mapping?: StretchName;
  mask?: true | string;
}

function side(name: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > MAX_SIDE) throw new UsageError(`${name} must be a whole number of pixels from 1 to ${MAX_SIDE}, got "${text}"`);
    return n;
  };
}

function oneOf<T extends string>(name: string, choices: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(choices as readonly string[]).includes(text)) throw new UsageError(`${name} must be one of ${choices.join(", ")}, got "${text}"`);
    return text as T;
  };
}

function percentage(text: string): number {
  const n = Number(text);
  if (!(n > 0 && n <= 100)) throw new UsageError(`--percentile must be a number in (0, 100], got "${text}"`);
  return n;
}

/** Registers `show`. */
export function registerShow(program: Command): void {
  program
    .command("show")
    .description("write a PNG preview of an image dataset; print its mask legend")
    .argument("<repo>", "repository (path or URI)")
    .argument("<type>", "dataset type (an image: calexp, raw …)")
    .argument("[dataId...]", "data id as key=value words")
    .requiredOption("--png <file>", "the PNG to write (replaced atomically)")
    .option("--width <pixels>", "width of the PNG (default: the image's; height follows)", side("--width"))
    .option("--height <pixels>", "height of the PNG", side("--height"))
    .option("--stretch <interval>", "zscale, minmax or percentile (default zscale)", oneOf("--stretch", ["zscale", "minmax", "percentile"] as const))
    .option("--percentile <p>", "with --stretch percentile: the central percentage kept (default 99.5)", percentage)
    .option("--mapping <stretch>", "linear, asinh, log or sqrt (default linear)", oneOf("--mapping", ["linear", "asinh", "log", "sqrt"] as const))
    .option("--mask [planes]", "overlay the mask planes (all, or a comma-separated list such as SAT,CR)")
    .action(async (repo: string, type: string, words: string[], opts: ShowFlags, command: Command) => {
      const out = outputOf(command);
      const dataId = parseDataId(words);
      const options: RenderOptions = {};
      if (opts.width !== undefined) options.width = opts.width;
      if (opts.height !== undefined) options.height = opts.height;
      if (opts.stretch !== undefined) options.stretch = opts.stretch;
      if (opts.percentile !== undefined) options.percentile = opts.percentile;
      if (opts.mapping !== undefined) options.mapping = opts.mapping;
      if (opts.mask !== undefined) options.mask = opts.mask === true ? true : opts.mask.split(",").map((p) => p.trim()).filter((p) => p !== "");
      const info = await withButler(repo, async (b) => writePng(await b.get<RenderSource>(type, dataId), opts.png, options));
      const { min, max } = info.limits;
      out.note(`wrote ${opts.png}: ${info.width}×${info.height}, ${options.stretch ?? "zscale"} limits ${min} … ${max}`);
      if (info.legend.length > 0) {
        out.note("mask planes (plane, bit, colour, shown):");
        for (const e of info.legend) out.line(`${e.plane}\t${e.bit}\t${e.hex}\t${e.present ? "yes" : "no"}`);
      }
      out.data({ png: opts.png, width: info.width, height: info.height, limits: { min: finite(min), max: finite(max) }, legend: info.legend });
    });
}

/** NaN limits (an image without a finite pixel) as null in JSON. */
function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

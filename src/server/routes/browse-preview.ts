/**
 * `GET /api/v1/repos/NAME/browse/preview/TYPE?id.KEY=VALUE…` — a PNG preview of an image dataset,
 * as `renderPng` (and `skybutler show`) draws it: `width`, `height` (≤ MAX_SIDE), `stretch`,
 * `percentile`, `mapping`, `mask` (`1` for every plane, or `SAT,CR`), and for a tile of a zoomed
 * view a region `x0`, `y0`, `w`, `h` (local pixels, row 0 at the bottom) with fixed limits `min`,
 * `max` (those of the whole image, so that tiles match). A region is read alone (`TYPE_sub`: the
 * rows it covers, by range on a remote storage). The response carries what the PNG shows:
 * `x-skybutler-limits: MIN MAX`, `x-skybutler-legend` (the mask legend, URI-encoded JSON) and
 * `x-skybutler-image: WIDTH HEIGHT` (the whole image's size).
 *
 * @packageDocumentation
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { UsageError } from "../../errors.js";
import type { Box2I } from "../../image/box.js";
import { MAX_SIDE, renderPng, type RenderOptions, type RenderSource } from "../../render/index.js";
import { choiceParam, intParam, numberParam, type QueryParams } from "../browse-params.js";
import type { ServerContext } from "../server-context.js";
import type { TransferGate } from "../transfer-gate.js";
import { browsedDataset } from "./browse-dataset.js";

/**
 * Most image pixels one preview reads (2^25, e.g. 4096 × 8192): a whole image is read into memory
 * (an ExposureF: 12 bytes a pixel), so a larger one is previewed a region at a time.
 */
export const MAX_PREVIEW_PIXELS = 1 << 25;

type TypeRequest = FastifyRequest<{ Params: { repo: string; type: string }; Querystring: QueryParams }>;

/** Registers the preview route; renders pass `gate` (each holds an image in memory). */
export function browsePreviewRoutes(app: FastifyInstance, ctx: ServerContext, gate: TransferGate): void {
  app.get("/api/v1/repos/:repo/browse/preview/:type", async (req: TypeRequest, reply) => {
    const { butler, type, kind, dataId } = await browsedDataset(ctx, req, "a preview");
    if (kind !== "image") throw new UsageError(`"${type}" is not an image: it has no preview`);
    const options = renderOptions(req.query);
    const region = regionParam(req.query);
    const box = await butler.get<Box2I>(`${type}_bbox`, dataId);
    const read = region ?? { x0: 0, y0: 0, width: box.width, height: box.height };
    if (read.x0 + read.width > box.width || read.y0 + read.height > box.height) {
      throw new UsageError(`the region x0=${read.x0} y0=${read.y0} w=${read.width} h=${read.height} is not inside the ${box.width}×${box.height} image`);
    }
    if (read.width * read.height > MAX_PREVIEW_PIXELS) {
      throw new UsageError(
        `${read.width}×${read.height} pixels is more than a preview reads at once (${MAX_PREVIEW_PIXELS}); ` +
          "ask for a region (x0, y0, w, h) or write the PNG with `skybutler show`",
      );
    }
    const release = await gate.enter();
    let rendered;
    try {
      const source = region
        ? await butler.get<RenderSource>(`${type}_sub`, { ...dataId, bbox: region, imageOrigin: "LOCAL" })
        : await butler.get<RenderSource>(type, dataId);
      rendered = await renderPng(source, options);
    } finally {
      release();
    }
    return reply
      .header("content-type", "image/png")
      .header("cache-control", "no-store")
      .header("x-skybutler-limits", `${rendered.limits.min} ${rendered.limits.max}`)
      .header("x-skybutler-legend", encodeURIComponent(JSON.stringify(rendered.legend)))
      .header("x-skybutler-image", `${box.width} ${box.height}`)
      .send(Buffer.from(rendered.png.buffer, rendered.png.byteOffset, rendered.png.byteLength));
  });
}

/**
 * The render options of a preview request.
 * @throws UsageError for a bad value, or only one of `min` and `max`
 */
function renderOptions(query: QueryParams): RenderOptions {
  const options: RenderOptions = {};
  const width = intParam(query, "width", 1, MAX_SIDE);
  const height = intParam(query, "height", 1, MAX_SIDE);
  const stretch = choiceParam(query, "stretch", ["zscale", "minmax", "percentile"] as const);
  const mapping = choiceParam(query, "mapping", ["linear", "asinh", "log", "sqrt"] as const);
  const percentile = numberParam(query, "percentile");
  if (width !== undefined) options.width = width;
  if (height !== undefined) options.height = height;
  if (stretch !== undefined) options.stretch = stretch;
  if (mapping !== undefined) options.mapping = mapping;
  if (percentile !== undefined) options.percentile = percentile;
  const min = numberParam(query, "min");
  const max = numberParam(query, "max");
  if ((min === undefined) !== (max === undefined)) throw new UsageError('give both "min" and "max" (the limits of a tile), or neither');
  if (min !== undefined && max !== undefined) options.limits = { min, max };
  const mask = query.mask;
  if (Array.isArray(mask)) throw new UsageError('"mask" is given more than once; give it once');
  if (mask !== undefined && mask !== "0" && mask !== "") {
    options.mask = mask === "1" ? true : mask.split(",").map((name) => name.trim()).filter((name) => name !== "");
  }
  return options;
}

/**
 * The region `x0`, `y0`, `w`, `h` of a tile, or undefined for the whole image.
 * @throws UsageError when only some are given, or one is not a whole number
 */
function regionParam(query: QueryParams): Box2I | undefined {
  const x0 = intParam(query, "x0", 0, Number.MAX_SAFE_INTEGER);
  const y0 = intParam(query, "y0", 0, Number.MAX_SAFE_INTEGER);
  const width = intParam(query, "w", 1, Number.MAX_SAFE_INTEGER);
  const height = intParam(query, "h", 1, Number.MAX_SAFE_INTEGER);
  const given = [x0, y0, width, height].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given !== 4) throw new UsageError('a region needs all of "x0", "y0", "w" and "h"');
  return { x0: x0!, y0: y0!, width: width!, height: height! };
}

/**
 * `thumbnail` (Main `thumbnail.ThumbnailStorlet`): a PNG preview of a FITS image, made where the
 * data is — skybutler's renderer (astropy's ZScaleInterval by default, NaN transparent) over the
 * input read strip by strip through ranged reads. Parameters: `hdu` (default the IMAGE of an
 * exposure, else the first image), `width` (default 256; the height keeps the aspect), `stretch`
 * (`zscale`, `minmax`, `percentile`), `mapping` (`linear`, `asinh`, `log`, `sqrt`), `percentile`.
 * The interval used is in the metadata (`Interval-Min`, `Interval-Max`).
 *
 * @packageDocumentation
 */
import { renderPng } from "../../render/render-png.js";
import type { IntervalName, RenderOptions, StretchName } from "../../render/render-options.js";
import type { Storlet, StorletInputFile, StorletLogger, StorletOutputFile, StorletParams } from "../contract.js";
import { openImageInput } from "./hdu-choice.js";
import { intParam } from "./input-byte-source.js";

/** Draws a PNG preview. */
export class ThumbnailStorlet implements Storlet {
  readonly #logger: StorletLogger;

  /** @param logger - the storlet's log */
  constructor(logger: StorletLogger) {
    this.#logger = logger;
  }

  /** {@inheritDoc Storlet.invoke} */
  async invoke([input]: StorletInputFile[], [output]: StorletOutputFile[], params: StorletParams): Promise<void> {
    const { source, hdu } = await openImageInput(input!, params.hdu);
    const options: RenderOptions = {
      width: Math.min(intParam(params, "width", 1, 256), hdu.shape[1]!),
      stretch: (params.stretch ?? "zscale") as IntervalName,
      mapping: (params.mapping ?? "linear") as StretchName,
      ...(params.percentile === undefined ? {} : { percentile: Number(params.percentile) }),
    };
    const { png, width, height, limits } = await renderPng(hdu, options);
    output!.setMetadata({ "Content-Type": "image/png", "Interval-Min": String(limits.min), "Interval-Max": String(limits.max), Size: `${width}x${height}` });
    await output!.write(png);
    this.#logger.info(`${width}×${height} PNG of HDU ${hdu.index}; read ${source.bytesRead} of ${source.size} bytes`);
    await input!.close();
    await output!.close();
  }
}

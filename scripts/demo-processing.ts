/**
 * The demo's stand-in for pipeline tasks: a tiny instrument-signature removal and source detection.
 * Pipeline code like this only sees objects; the Butler does all the I/O.
 */
import { Catalog, Exposure, Image, MaskedImage, Mask, type PixelArray } from "../src/index.js";

/** Subtracts the bias, flags saturated pixels, and sets the variance from the gain. */
export function isr(raw: Exposure<PixelArray>): Exposure<Float32Array> {
  const { width, height } = raw;
  const bias = Number(raw.metadata.get("BIASLVL") ?? 0);
  const gain = Number(raw.metadata.get("GAIN") ?? 1);
  const saturation = Number(raw.metadata.get("SATURATE") ?? Infinity);
  const image = new Image(width, height, Float32Array);
  const variance = new Image(width, height, Float32Array);
  const mask = new Mask(width, height);
  const sat = mask.bitMask("SAT");
  const src = raw.image.data;
  for (let i = 0; i < width * height; i++) {
    const adu = Number(src[i]);
    image.data[i] = adu - bias;
    variance.data[i] = Math.max(adu - bias, 0) / gain + 25; // + read noise² of 5 adu
    if (adu >= saturation) mask.data[i] = mask.data[i]! | sat;
  }
  const metadata = raw.metadata.clone();
  metadata.set("HISTORY", "skybutler demo: bias subtracted, saturation flagged");
  return new Exposure(new MaskedImage(image, mask, variance), metadata);
}

/** Finds local maxima above a threshold (in sigma over the background) and measures them. */
export function detect(calexp: Exposure<Float32Array>, nSigma = 10): Catalog {
  const { width, height } = calexp;
  const img = calexp.image.data;
  const sorted = Float32Array.from(img).sort();
  const background = sorted[Math.floor(sorted.length / 2)]!;
  const sigma = Math.sqrt(background + 25);
  const xs: number[] = [];
  const ys: number[] = [];
  const fluxes: number[] = [];
  const saturated: boolean[] = [];
  const sat = calexp.mask.bitMask("SAT");
  for (let y = 2; y < height - 2; y++) {
    for (let x = 2; x < width - 2; x++) {
      const v = img[y * width + x]!;
      if (v - background < nSigma * sigma) continue;
      let isPeak = true;
      let flux = 0;
      let flagged = false;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const u = img[(y + dy) * width + (x + dx)]!;
          // a flat (saturated) top has many equal maxima: the first in raster order wins
          const earlier = dy < 0 || (dy === 0 && dx < 0);
          if ((dx !== 0 || dy !== 0) && Math.abs(dx) <= 1 && Math.abs(dy) <= 1 && (u > v || (u === v && earlier))) isPeak = false;
          flux += u - background;
          if ((calexp.mask.data[(y + dy) * width + (x + dx)]! & sat) !== 0) flagged = true;
        }
      }
      if (!isPeak) continue;
      xs.push(x);
      ys.push(y);
      fluxes.push(flux);
      saturated.push(flagged);
    }
  }
  const catalog = new Catalog({
    id: BigInt64Array.from(xs.map((_, i) => BigInt(i + 1))),
    x: Float64Array.from(xs),
    y: Float64Array.from(ys),
    flux: Float64Array.from(fluxes),
    flag_saturated: saturated,
  });
  catalog.info.set("x", { unit: "pixel" });
  catalog.info.set("y", { unit: "pixel" });
  catalog.info.set("flux", { unit: "adu" });
  return catalog;
}

/**
 * An output repository for the browser tests, written by a Butler over the sample repository:
 * a 600 × 400 calexp for visit 1, ccd 0 (stars on a sloped sky, a NaN pixel, saturated pixels in
 * the mask, and header values that are HTML: `<script>` and an `<img onerror>`), the demo's small
 * calexps for the other raw frames, and a 250-row `src` catalog for visit 1, ccd 0 (a string cell
 * that is HTML too).
 */
import { fileURLToPath } from "node:url";
import { Butler, Catalog, Exposure, Image, Mask, MaskedImage, type PixelArray } from "../../src/testing/index.js";
import { isr } from "../../scripts/demo-processing.js";
import { mulberry32 } from "../support/seeded-random.js";

export const SAMPLE_REPO = fileURLToPath(new URL("../../data/testcam-repo", import.meta.url));

/** The hostile header values the page must show as text. */
export const HOSTILE = {
  object: "<script>window.__pwned = 1</script>",
  note: '<img src=x onerror="window.__pwned = 2">',
  cell: "<b>bold</b><script>window.__pwned = 3</script>",
} as const;

/** Size of the big calexp (visit 1, ccd 0). */
export const BIG = { width: 600, height: 400 } as const;
/** Rows of the `src` catalog. */
export const SRC_ROWS = 250;

/** Writes the repository at `root` (a new output whose parent is the sample repository). */
export async function makeBrowseRepo(root: string): Promise<void> {
  const butler = await Butler.create({ inputs: SAMPLE_REPO, outputs: { root, mode: "rw" } });
  try {
    const ids = (await butler.queryMetadata("raw", ["visit", "ccd"])) as Array<[number, number]>;
    for (const [visit, ccd] of ids) {
      const raw = await butler.get<Exposure<PixelArray>>("raw", { visit, ccd });
      const calexp = visit === 1 && ccd === 0 ? bigCalexp(raw) : isr(raw);
      await butler.put(calexp, "calexp", { visit, ccd });
    }
    const n = SRC_ROWS;
    const src = new Catalog({
      id: BigInt64Array.from({ length: n }, (_, i) => BigInt(i + 1)),
      x: Float64Array.from({ length: n }, (_, i) => i * 2.5),
      flux: Float64Array.from({ length: n }, (_, i) => (i === 7 ? NaN : 1000 + i)),
      saturated: Array.from({ length: n }, (_, i) => i % 3 === 0),
      label: Array.from({ length: n }, (_, i) => (i === 0 ? HOSTILE.cell : `s${i + 1}`)),
    });
    src.info.set("x", { unit: "pixel" });
    await butler.put(src, "src", { visit: 1, ccd: 0 });
  } finally {
    await butler.close();
  }
}

function bigCalexp(raw: Exposure<PixelArray>): Exposure<Float32Array> {
  const { width: W, height: H } = BIG;
  const random = mulberry32(14);
  const image = new Image(W, H, Float32Array);
  const variance = new Image(W, H, Float32Array);
  const mask = new Mask(W, H);
  const sat = mask.bitMask("SAT");
  const stars = Array.from({ length: 70 }, () => ({ x: random() * W, y: random() * H, flux: 200 + random() ** 3 * 40000, sigma: 1 + random() * 2.5 }));
  stars.push({ x: 420.5, y: 260.5, flux: 400_000, sigma: 2.5 }); // saturates: a patch of SAT pixels
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let v = 100 + x * 0.04 + (random() - 0.5) * 16;
      for (const s of stars) {
        const d2 = (x - s.x) ** 2 + (y - s.y) ** 2;
        if (d2 < 225) v += (s.flux / (2 * Math.PI * s.sigma ** 2)) * Math.exp(-d2 / (2 * s.sigma ** 2));
      }
      const i = y * W + x;
      image.data[i] = Math.min(v, 6000);
      variance.data[i] = Math.max(v, 0) + 25;
      if (v >= 6000) mask.data[i] = mask.data[i]! | sat;
    }
  }
  image.data[5 * W + 5] = NaN;
  const metadata = raw.metadata.clone();
  metadata.set("OBJECT", HOSTILE.object, "a <b>hostile</b> comment");
  metadata.set("NOTE", HOSTILE.note);
  return new Exposure(new MaskedImage(image, mask, variance), metadata);
}

/**
 * Colours of mask planes in a preview, and the legend that names them.
 *
 * @packageDocumentation
 */
import { UsageError } from "../errors.js";

/** An RGB colour, 0–255 per channel. */
export type Rgb = readonly [r: number, g: number, b: number];

/** One overlaid mask plane: its name (from the mask's `MP_*` cards), bit, and colour. */
export interface MaskLegendEntry {
  /** Plane name, e.g. `"SAT"`. */
  plane: string;
  /** Bit number in the mask pixels. */
  bit: number;
  /** Overlay colour. */
  color: Rgb;
  /** The colour as CSS `#rrggbb`. */
  hex: string;
  /** Whether any pixel of the preview has this plane set. */
  present: boolean;
}

/**
 * lsst.afw.display's default plane colours (`Display._defaultMaskPlaneColor`), so a preview looks
 * as a pipeline developer's ds9 does; except that INTRP/INTERPOLATED is a darker green than SAT and
 * SUSPECT amber rather than EDGE's yellow, so that the legend tells them apart.
 */
const KNOWN_COLORS: Readonly<Record<string, Rgb>> = {
  BAD: [255, 0, 0],
  SAT: [0, 255, 0],
  SATURATED: [0, 255, 0],
  INTRP: [0, 160, 0],
  INTERPOLATED: [0, 160, 0],
  CR: [255, 0, 255],
  EDGE: [255, 255, 0],
  DETECTED: [0, 0, 255],
  DETECTED_NEGATIVE: [0, 255, 255],
  SUSPECT: [255, 200, 0],
  NO_DATA: [255, 128, 0],
};

/** Colours for other planes, in turn (distinct from the ones above). */
const PALETTE: readonly Rgb[] = [
  [255, 105, 180],
  [148, 0, 211],
  [0, 128, 128],
  [165, 42, 42],
  [255, 160, 122],
  [128, 128, 0],
  [70, 130, 180],
  [210, 105, 30],
];

function hexOf([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The legend for the planes to overlay, in bit order (the order they are drawn in).
 * @param planes - the mask's plane name → bit
 * @param wanted - `true` for every plane, or the names to show
 * @param presentBits - OR of every preview pixel's mask bits
 * @throws UsageError when a wanted plane is not in the mask (the message lists those that are)
 */
export function maskLegend(planes: ReadonlyMap<string, number>, wanted: true | readonly string[], presentBits: number): MaskLegendEntry[] {
  if (wanted !== true) {
    const unknown = wanted.filter((name) => !planes.has(name));
    if (unknown.length > 0) throw new UsageError(`no mask plane ${unknown.join(", ")}; the mask has ${[...planes.keys()].join(", ") || "no planes"}`);
  }
  const names = wanted === true ? [...planes.keys()] : [...new Set(wanted)];
  const sorted = names.map((plane) => ({ plane, bit: planes.get(plane)! })).filter(({ bit }) => bit >= 0 && bit < 32);
  sorted.sort((a, b) => a.bit - b.bit);
  let next = 0;
  return sorted.map(({ plane, bit }) => {
    const color = KNOWN_COLORS[plane] ?? PALETTE[next++ % PALETTE.length]!;
    return { plane, bit, color, hex: hexOf(color), present: (presentBits & (1 << bit)) !== 0 };
  });
}

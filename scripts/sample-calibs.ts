/**
 * Calibrations for the sample repository: `flat` and `bias` frames of two validity periods and the
 * `calibRegistry.sqlite3` that says when each applies, so that visits 1–2 (2026-03-01) and 3–4
 * (2026-03-02) pick different products. Deterministic, like the rest of the sample.
 *
 * `generateSampleRepo` (sample-data.ts) calls {@link generateSampleCalibs} after writing the raws.
 */
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Header } from "../src/image/header.js";
import { Image } from "../src/image/image.js";
import { Mask } from "../src/image/mask.js";
import { MaskedImage } from "../src/image/masked-image.js";
import { writeFits } from "../src/fits/index.js";
import { maskedImageToHdus } from "../src/formatters/exposure-hdus.js";
import { fillTemplate } from "../src/template.js";
import { buildCalibRegistry, type RegistryInputRow } from "../registry/build-registry.js";
import { SAMPLE_CCDS, SAMPLE_SIZE, SAMPLE_VISITS } from "./sample-data.js";

/**
 * The validity periods: each covers one night of SAMPLE_VISITS. Times are ISO-8601 text in the
 * registry's `taiObs` format, so the registry compares them as text in time order.
 */
export const SAMPLE_CALIB_PERIODS = [
  { calibDate: "2026-02-28", validStart: "2026-02-28T00:00:00.000", validEnd: "2026-03-01T23:59:59.999" },
  { calibDate: "2026-03-02", validStart: "2026-03-02T00:00:00.000", validEnd: "2026-03-31T23:59:59.999" },
] as const;

/**
 * The filters that have flats: every filter of the sample, in every period. A function, not a
 * constant: sample-data.ts imports this module, so its exports are not ready at load time.
 */
export function sampleCalibFilters(): string[] {
  return [...new Set<string>(SAMPLE_VISITS.map((v) => v.filter))].sort();
}

// The testcam policy's calibration templates (mappers/testcam/policy.yaml).
const FLAT_TEMPLATE = "flat/%(calibDate)s/flat_f%(filter)s_c%(ccd)02d.fits";
const BIAS_TEMPLATE = "bias/%(calibDate)s/bias_c%(ccd)02d.fits";

/** The flat level of a period: distinct per period so a test can tell which flat it got. */
export function sampleFlatLevel(periodIndex: number): number {
  return 1 + 0.05 * periodIndex;
}

/** The bias level of a period. */
export function sampleBiasLevel(periodIndex: number): number {
  return 1000 + 2 * periodIndex;
}

function plane(level: number, slope: number): MaskedImage {
  const { width, height } = SAMPLE_SIZE;
  const image = new Image(width, height, Float32Array);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) image.set(x, y, level + slope * ((x - width / 2) / width));
  const variance = new Image(width, height, Float32Array);
  variance.data.fill(1e-4);
  return new MaskedImage(image, new Mask(width, height), variance);
}

function calibHeader(type: string, period: (typeof SAMPLE_CALIB_PERIODS)[number], ccd: number, filter?: string): Header {
  const h = new Header();
  h.set("OBSTYPE", type, "calibration type");
  h.set("CALIBDAT", period.calibDate, "calibration date");
  h.set("CCD", ccd, "detector number");
  if (filter !== undefined) h.set("FILTER", filter, "filter band");
  h.set("VALIDSTA", period.validStart, "start of validity");
  h.set("VALIDEND", period.validEnd, "end of validity");
  return h;
}

async function write(repoDir: string, key: string, mi: MaskedImage, header: Header): Promise<void> {
  const path = join(repoDir, key);
  await mkdir(dirname(path), { recursive: true });
  await writeFits(path, maskedImageToHdus(mi, header));
}

/**
 * Writes `flat` (every filter × CCD) and `bias` (every CCD) frames for each validity period into
 * `repoDir`, at the testcam policy's templates, and `calibRegistry.sqlite3` describing them.
 *
 * ```ts
 * await generateSampleRepo("data/testcam-repo");   // which calls:
 * await generateSampleCalibs("data/testcam-repo");
 * ```
 * @throws RegistryError, or the fs error when a file cannot be written
 */
export async function generateSampleCalibs(repoDir: string): Promise<void> {
  const flats: RegistryInputRow[] = [];
  const biases: RegistryInputRow[] = [];
  for (const [index, period] of SAMPLE_CALIB_PERIODS.entries()) {
    for (const ccd of SAMPLE_CCDS) {
      for (const filter of sampleCalibFilters()) {
        const id = { calibDate: period.calibDate, filter, ccd };
        await write(repoDir, fillTemplate(FLAT_TEMPLATE, id), plane(sampleFlatLevel(index), 0.02), calibHeader("flat", period, ccd, filter));
        flats.push({ ...id, validStart: period.validStart, validEnd: period.validEnd });
      }
      const id = { calibDate: period.calibDate, ccd };
      await write(repoDir, fillTemplate(BIAS_TEMPLATE, id), plane(sampleBiasLevel(index), 0), calibHeader("bias", period, ccd));
      biases.push({ ...id, validStart: period.validStart, validEnd: period.validEnd });
    }
  }
  buildCalibRegistry(join(repoDir, "calibRegistry.sqlite3"), { flat: flats, bias: biases });
}

/**
 * Generates the sample repository `data/testcam-repo`: a few raw frames (uint16, as a camera writes
 * them) of a few CCDs and visits in two filters, its `repositoryCfg.yaml` and a `registry.sqlite3`
 * built from the raw files' headers. Deterministic: the same code writes the same bytes, so the
 * committed copy can be checked against a fresh one (test/butler/sample-data.test.ts).
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Header } from "../src/image/header.js";
import { openFits, writeFits } from "../src/fits/index.js";
import { buildRegistry } from "../registry/build-registry.js";
import { generateSampleCalibs } from "./sample-calibs.js";

/** Visits of the sample: visit → filter and observation time. */
export const SAMPLE_VISITS = [
  { visit: 1, filter: "g", dateObs: "2026-03-01T03:00:00.000", field: "STRIPE82L" },
  { visit: 2, filter: "g", dateObs: "2026-03-01T03:05:00.000", field: "STRIPE82L" },
  { visit: 3, filter: "r", dateObs: "2026-03-02T04:00:00.000", field: "STRIPE82L" },
  { visit: 4, filter: "r", dateObs: "2026-03-02T04:05:00.000", field: "STRIPE82R" },
] as const;

/** CCDs per visit. */
export const SAMPLE_CCDS = [0, 1, 2] as const;

/** Raw frame size in pixels. */
export const SAMPLE_SIZE = { width: 64, height: 48 } as const;

const BIAS = 1000;
const SATURATION = 65535;

/** mulberry32: a tiny seeded generator, so the sample is the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A raw frame: bias + sky + Gaussian stars + noise, one saturated star, as uint16. */
export function makeRawPixels(visit: number, ccd: number, filter: string): Uint16Array {
  const { width, height } = SAMPLE_SIZE;
  const random = rng(visit * 1000 + ccd * 17 + 1);
  const sky = filter === "g" ? 150 : 260;
  const stars = Array.from({ length: 6 }, (_, i) => ({
    x: 6 + random() * (width - 12),
    y: 6 + random() * (height - 12),
    flux: i === 0 ? 1500000 : 2000 + random() * 20000, // star 0 saturates
  }));
  const pixels = new Uint16Array(width * height);
  const sigma2 = 2 * 1.6 * 1.6;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let value = sky;
      for (const s of stars) value += (s.flux / (Math.PI * sigma2)) * Math.exp(-((x - s.x) ** 2 + (y - s.y) ** 2) / sigma2);
      // Box-Muller Gaussian noise with Poisson-like width
      const noise = Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random()) * Math.sqrt(value);
      pixels[y * width + x] = Math.min(SATURATION, Math.max(0, Math.round(BIAS + value + noise)));
    }
  }
  return pixels;
}

function rawHeader(visit: (typeof SAMPLE_VISITS)[number], ccd: number): Header {
  const h = new Header();
  h.set("TELESCOP", "skybutler", "sample telescope");
  h.set("INSTRUME", "testcam", "sample camera");
  h.set("OBJECT", visit.field, "field name");
  h.set("VISIT", visit.visit, "visit number");
  h.set("CCD", ccd, "detector number");
  h.set("FILTER", visit.filter, "filter band");
  h.set("EXPTIME", 30, "[s] exposure time");
  h.set("DATE-OBS", visit.dateObs, "TAI start of exposure");
  h.set("BIASLVL", BIAS, "[adu] nominal bias level");
  h.set("SATURATE", SATURATION, "[adu] saturation level");
  h.set("GAIN", 1.5, "[e-/adu]");
  return h;
}

/** The registry row of a raw file, read from its primary header. */
export function registryRowFromHeader(header: Header): Record<string, string | number> {
  const need = (key: string) => {
    const value = header.get(key);
    if (typeof value !== "number" && typeof value !== "string") throw new Error(`raw header lacks ${key}`);
    return value;
  };
  return {
    visit: need("VISIT"),
    ccd: need("CCD"),
    filter: need("FILTER"),
    expTime: need("EXPTIME"),
    taiObs: need("DATE-OBS"),
    field: need("OBJECT"),
  };
}

/**
 * Writes the sample repository into `dir` (replacing what is there) and builds its registry from
 * the raw files' headers.
 */
export async function generateSampleRepo(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, "raw"), { recursive: true });
  await writeFile(join(dir, "repositoryCfg.yaml"), "# skybutler repository configuration\nmapper: testcam\nmapperArgs: {}\nparents: []\npolicy: null\n");
  for (const visit of SAMPLE_VISITS) {
    for (const ccd of SAMPLE_CCDS) {
      const data = makeRawPixels(visit.visit, ccd, visit.filter);
      const name = `raw/v${visit.visit}_f${visit.filter}_c${String(ccd).padStart(2, "0")}.fits`;
      await writeFits(join(dir, name), [{ kind: "image", header: rawHeader(visit, ccd), data, shape: [SAMPLE_SIZE.height, SAMPLE_SIZE.width] }]);
    }
  }
  await buildRegistry(join(dir, "registry.sqlite3"), await scanRawHeaders(join(dir, "raw")));
  await generateSampleCalibs(dir);
}

/** Registry rows for every raw FITS file in a directory, from their headers. */
export async function scanRawHeaders(rawDir: string): Promise<Array<Record<string, string | number>>> {
  const rows = [];
  for (const name of (await readdir(rawDir)).filter((n) => n.endsWith(".fits")).sort()) {
    const file = await openFits(join(rawDir, name));
    try {
      rows.push(registryRowFromHeader(file.hdus[0]!.header));
    } finally {
      await file.close();
    }
  }
  return rows;
}

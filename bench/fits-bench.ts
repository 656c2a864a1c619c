/**
 * `npm run bench:fits`: the FITS codec against CFITSIO (a small C program built from
 * libcfitsio-dev) and astropy, measured in the same run on the same machine. Each row prints the
 * median of BENCH_RUNS runs and our time divided by each peer's (below 1: we are faster).
 *
 * 1. 4096×4096 float32 image: write, read.
 * 2. 1,000,000-row table (int64, float64, float64, float32, int32): write, read.
 * 3. RICE_1 decompression of a 4096×4096 int16 image (compressed by fpack).
 *
 * Peers time themselves inside their own process (start-up excluded); we time the same calls
 * in-process. The machine is shared: every row runs BENCH_ROUNDS rounds, each contender once per
 * round (a median of three calls), interleaved, and prints the median over rounds and its spread.
 * The image write is also measured against unlink + `fs.writeFile` of the same bytes (the I/O floor). astropy's reads are shown as astropy does them (big-endian views, no conversion) and
 * with the conversion to native byte order that skybutler and CFITSIO always do. Files live in the OS temp directory (warm page cache), removed at the end.
 */
import { execFileSync } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openFits, writeFits } from "../src/fits/index.js";
import { PYTHON } from "../test/support/astropy.js";
import { cfitsioProgram } from "../test/support/cfitsio.js";
import { benchWorkDir, interleaved, recordRow, secondsOf } from "./timing.js";

/** Calls per contender per round (median), and rounds (interleaved; median over rounds). */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SIZE = 4096;
const ROWS = 1_000_000;
const work = await benchWorkDir("fits-bench");
const file = (name: string): string => join(work, name);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median seconds of RUNS calls (the warm-up is the first round's). */
async function medianOf(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await secondsOf(fn));
  return median(times);
}

/** CFITSIO: one process per run, each printing the seconds its operation took. */
async function cfitsio(args: string[]): Promise<number> {
  const bench = cfitsioProgram("cfbench");
  return median(Array.from({ length: RUNS }, () => Number(execFileSync(bench, args).toString())));
}

const ASTROPY = String.raw`
import sys, json, time, numpy as np
from astropy.io import fits
op, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def image_write():
    data = ((np.arange(4096 * 4096) % 9973) * 0.25 - 100).astype('float32').reshape(4096, 4096)
    t = time.perf_counter(); fits.PrimaryHDU(data).writeto(path, overwrite=True); return time.perf_counter() - t
def image_read():
    t = time.perf_counter()
    with fits.open(path, memmap=False) as h: d = h[0].data
    return time.perf_counter() - t
def table_write():
    n = 1000000; i = np.arange(n)
    cols = [fits.Column(name='id', format='K', array=i * 1000003), fits.Column(name='ra', format='D', array=i * 0.001),
            fits.Column(name='dec', format='D', array=-i * 1.5), fits.Column(name='flux', format='E', array=(i * 0.25).astype('f4')),
            fits.Column(name='flags', format='J', array=i.astype('i4'))]
    t = time.perf_counter(); fits.BinTableHDU.from_columns(cols, name='CAT').writeto(path, overwrite=True); return time.perf_counter() - t
def table_read():
    t = time.perf_counter()
    with fits.open(path, memmap=False) as h:
        d = h[1].data
        cols = [d[c] for c in ['id', 'ra', 'dec', 'flux', 'flags']]
    return time.perf_counter() - t
native = lambda a: a.astype(a.dtype.newbyteorder('='))
def image_read_native():
    t = time.perf_counter()
    with fits.open(path, memmap=False) as h: d = native(h[0].data)
    return time.perf_counter() - t
def table_read_native():
    t = time.perf_counter()
    with fits.open(path, memmap=False) as h:
        d = h[1].data
        cols = [native(d[c]) for c in ['id', 'ra', 'dec', 'flux', 'flags']]
    return time.perf_counter() - t
f = {'image-write': image_write, 'image-read': image_read, 'table-write': table_write, 'table-read': table_read,
     'image-read-native': image_read_native, 'table-read-native': table_read_native}[op]
f()
print(json.dumps(sorted(f() for _ in range(runs))[runs // 2]))
`;

async function astropy(op: string, path: string): Promise<number> {
  return Number(execFileSync(PYTHON, ["-c", ASTROPY, op, path, String(RUNS)], { env: { ...process.env, PYTHONWARNINGS: "ignore" } }).toString());
}

const fmt = (s: number): string => `${(s * 1e3).toFixed(1)} ms`.padStart(10);
/**
 * One row: `ours` and each peer measured in interleaved rounds; prints our median, each peer's and
 * ours/peer, then the spread of every contender's samples.
 */
async function row(what: string, ours: () => Promise<unknown>, peers: Record<string, () => Promise<number>>): Promise<void> {
  const result = await interleaved(ROUNDS, { skybutler: () => medianOf(ours), ...peers });
  const mine = result.median.skybutler!;
  const cells = Object.keys(peers).map((name) => `${name} ${fmt(result.median[name]!)} (${(mine / result.median[name]!).toFixed(2)}×)`);
  for (const name of Object.keys(peers)) recordRow(what, mine, name, result.median[name]!);
  console.log(`${what.padEnd(34)} skybutler ${fmt(mine)}   ${cells.join("   ")}`);
  console.log(`${"".padEnd(34)} spread: ${Object.entries(result.spread).map(([name, range]) => `${name} ${range}`).join(", ")}`);
}

try {
  console.log(
    `skybutler FITS bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${ROUNDS} interleaved rounds of ${RUNS} runs (medians); (×) = skybutler / peer\n`,
  );

  const pixels = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i % 9973) * 0.25 - 100;
  const image = file("image.fits");
  const rawBytes = Buffer.from(pixels.buffer.slice(0));
  const rawPath = file("image.bin");
  await row("4096² float32 image write", () => writeFits(image, [{ kind: "image", data: pixels, shape: [SIZE, SIZE] }]), {
    // unlink first, as writeFits does: truncating a large file in place waits for its dirty pages
    "unlink+fs.writeFile": () =>
      medianOf(async () => {
        await rm(rawPath, { force: true });
        await writeFile(rawPath, rawBytes);
      }),
    cfitsio: () => cfitsio(["img-write", file("cf-image.fits"), String(SIZE)]),
    astropy: () => astropy("image-write", file("ap-image.fits")),
  });
  const readImage = async () => {
    const fits = await openFits(image);
    await fits.hdus[0]!.readImage();
    await fits.close();
  };
  await row("4096² float32 image read", readImage, {
    cfitsio: () => cfitsio(["img-read", image]),
    astropy: () => astropy("image-read", image),
    "astropy→native": () => astropy("image-read-native", image),
  });

  const id = new BigInt64Array(ROWS);
  const ra = new Float64Array(ROWS);
  const dec = new Float64Array(ROWS);
  const flux = new Float32Array(ROWS);
  const flags = new Int32Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    id[i] = BigInt(i) * 1000003n;
    ra[i] = i * 0.001;
    dec[i] = -i * 1.5;
    flux[i] = i * 0.25;
    flags[i] = i;
  }
  const table = file("table.fits");
  await row("1M-row table write (K D D E J)", () => writeFits(table, [{ kind: "bintable", columns: { id, ra, dec, flux, flags } }]), {
    cfitsio: () => cfitsio(["tab-write", file("cf-table.fits"), String(ROWS)]),
    astropy: () => astropy("table-write", file("ap-table.fits")),
  });
  const readTable = async () => {
    const fits = await openFits(table);
    await fits.hdus[1]!.readTable();
    await fits.close();
  };
  await row("1M-row table read (K D D E J)", readTable, {
    cfitsio: () => cfitsio(["tab-read", table]),
    astropy: () => astropy("table-read", table),
    "astropy→native": () => astropy("table-read-native", table),
  });

  // Sky-like counts: a level plus noise, what RICE is made for.
  let seed = 1;
  const counts = new Int16Array(SIZE * SIZE);
  for (let i = 0; i < counts.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    counts[i] = 1000 + ((seed >>> 16) % 61) - 30;
  }
  await writeFits(file("counts.fits"), [{ kind: "image", data: counts, shape: [SIZE, SIZE] }]);
  const rice = file("counts.fits.fz");
  execFileSync("fpack", ["-r", "-O", rice, file("counts.fits")]);
  await row(
    "4096² int16 RICE_1 decompress",
    async () => {
      const fits = await openFits(rice);
      await fits.hdus[1]!.readImage();
      await fits.close();
    },
    { cfitsio: () => cfitsio(["i16-read", rice, "2"]) },
  );
  console.log(
    "\nastropy's reads return big-endian arrays that view the bytes read (no byte swap; table columns are\n" +
      "strided views of the rows); astropy→native adds the conversion to native order that skybutler and\n" +
      "CFITSIO always do. Writes: skybutler and CFITSIO (\"!\" prefix) replace an existing file by unlinking it.",
  );
} finally {
  await rm(work, { recursive: true, force: true });
}

/**
 * `npm run bench`: the foundation's benchmarks, each against a peer measured in the same run.
 *
 * 1. FITS write / read of a 4096×4096 float32 image vs `fs.writeFile` / `fs.readFile` of the same
 *    bytes (the I/O floor).
 * 2. `butler.put` + `butler.get` of a 4096×4096 Exposure vs the bare FITS codec writing and reading
 *    the same HDUs (the Butler's overhead), and vs the bare codec plus the fsync that makes the
 *    Butler's put durable (what atomicity costs, separated from the Butler's own overhead).
 * 3. Small datasets: 1 KB JSON `butler.get`s per second vs `fs.readFile` + `JSON.parse`.
 */
import { open, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Butler, Exposure, MaskedImage, Header } from "../src/testing/index.js";
import { openFits, writeFits } from "../src/fits/index.js";
import { maskedImageToHdus } from "../src/formatters/exposure-hdus.js";
import { benchWorkDir, interleaved, medianSeconds, printRow, secondsOf } from "./timing.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZE = 4096;
const work = await benchWorkDir("bench");
const sampleRepo = fileURLToPath(new URL("../data/testcam-repo", import.meta.url));

try {
  console.log(`skybutler bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, median of ${RUNS} runs\n`);

  // 1. codec vs raw bytes
  const pixels = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i % 9973) * 0.25 - 100;
  const fitsPath = join(work, "image.fits");
  const rawPath = join(work, "image.bin");
  const rawBytes = Buffer.from(pixels.buffer.slice(0));
  // unlink first, as writeFits does: truncating a large file in place waits for its dirty pages.
  // Interleaved rounds: the shared machine's load hits both alike.
  const writes = await interleaved(RUNS, {
    fits: () => secondsOf(() => writeFits(fitsPath, [{ kind: "image", data: pixels, shape: [SIZE, SIZE] }])),
    raw: () =>
      secondsOf(async () => {
        await rm(rawPath, { force: true });
        await writeFile(rawPath, rawBytes);
      }),
  });
  const writeT = writes.median.fits!;
  const fsWriteT = writes.median.raw!;
  const readT = await medianSeconds(RUNS, async () => {
    const f = await openFits(fitsPath);
    try {
      await f.hdus[0]!.readImage();
    } finally {
      await f.close();
    }
  });
  const fsReadT = await medianSeconds(RUNS, () => readFile(rawPath));
  printRow("FITS write 4096² float32 (64 MiB)", writeT, "unlink+fs.writeFile same bytes", fsWriteT);
  console.log(`  spread over ${RUNS} interleaved rounds: FITS ${writes.spread.fits}, fs.writeFile ${writes.spread.raw}`);
  printRow("FITS read 4096² float32 (64 MiB)", readT, "fs.readFile same bytes", fsReadT);

  // 2. Butler put+get vs bare codec on the same Exposure
  const mi = MaskedImage.create(SIZE, SIZE);
  mi.image.data.set(pixels);
  mi.variance.data.fill(4);
  const exposure = new Exposure(mi, Header.fromObject({ VISIT: 1, CCD: 0, FILTER: "g" }));
  const outRoot = join(work, "rerun");
  const butler = await Butler.create({ inputs: sampleRepo, outputs: { root: outRoot, mode: "rw" } });
  const barePath = join(work, "bare.fits");
  try {
    const butlerRoundTrip = async () => {
      await butler.put(exposure, "calexp", { visit: 1, ccd: 0 });
      await butler.get("calexp", { visit: 1, ccd: 0 });
    };
    /** What the Butler does underneath, by hand: write the HDUs (durably or not) and read them back. */
    const bareRoundTrip = async (durable: boolean) => {
      await writeFits(barePath, maskedImageToHdus(mi, exposure.metadata));
      if (durable) {
        const handle = await open(barePath, "r+");
        await handle.sync();
        await handle.close();
      }
      const f = await openFits(barePath);
      try {
        for (const hdu of f.hdus.slice(1)) await hdu.readImage();
      } finally {
        await f.close();
      }
    };
    // 192 MiB each way: load swings dominate, so the three are interleaved round by round
    const exposures = await interleaved(Math.max(RUNS, 7), {
      butler: () => secondsOf(butlerRoundTrip),
      bare: () => secondsOf(() => bareRoundTrip(false)),
      durable: () => secondsOf(() => bareRoundTrip(true)),
    });
    const butlerT = exposures.median.butler!;
    printRow("butler.put+get Exposure 4096² (192 MiB)", butlerT, "bare codec write+read", exposures.median.bare!);
    // The Butler's put is durable (fsync before rename); the same with the bare codec:
    printRow("butler.put+get Exposure 4096² (192 MiB)", butlerT, "bare codec write+fsync+read", exposures.median.durable!);
    console.log(
      `  spread: butler ${exposures.spread.butler}, bare ${exposures.spread.bare}, bare+fsync ${exposures.spread.durable}; ` +
        `median of the per-round ratios butler/bare+fsync ${exposures.ratioToFirst.durable! > 0 ? (1 / exposures.ratioToFirst.durable!).toFixed(2) : "?"}×`,
    );

    // 3. small datasets
    const small = { values: Array.from({ length: 60 }, (_, i) => i * 1.5), label: "x".repeat(200) };
    await butler.put(small, "jsonThing", { visit: 1 });
    const jsonFile = fileURLToPath(await butler.getUri("jsonThing", { visit: 1 }));
    const N = 2000;
    const getsT = await medianSeconds(RUNS, async () => {
      for (let i = 0; i < N; i++) await butler.get("jsonThing", { visit: 1 });
    });
    const fsT = await medianSeconds(RUNS, async () => {
      for (let i = 0; i < N; i++) JSON.parse(await readFile(jsonFile, "utf8"));
    });
    const size = (await readFile(jsonFile)).length;
    printRow(`${N}× butler.get ${size} B JSON`, getsT, "fs.readFile+JSON.parse", fsT);
    console.log(`\nsmall gets: ${(N / getsT).toFixed(0)}/s through the Butler, ${(N / fsT).toFixed(0)}/s with fs.readFile+JSON.parse`);
  } finally {
    await butler.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

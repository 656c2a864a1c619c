/**
 * `npm run bench:pinned`: what pinning a ranged read to one version costs (issue 15), each against
 * the unpinned read measured in the same run.
 *
 * 1. Swift (a real one, 127.0.0.1): 200 ranged GETs of 64 KiB of a 16 MiB object with `If-Match`
 *    (how a {@link RangedObject} reads) vs the same GETs without it.
 * 2. PosixStorage: the ranges of a `_sub` read (144 × 256 B, as a 64×48 box of three HDUs) through
 *    `openRanged` (one open file) vs one `read(key, range)` per range (open, fstat, read, close each:
 *    what `_sub` did before).
 *
 * BENCH_RUNS (default 5) sets the runs per median.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { PosixStorage } from "../src/storage/posix/posix-storage.js";
import { SwiftStorage } from "../src/storage/swift/swift-storage.js";
import { SwiftAdmin, uniqueContainer } from "../test/support/swift-admin.js";
import { stopSwift, swiftServer } from "../test/support/swift-server.js";
import { benchWorkDir, medianSeconds, printRow } from "./timing.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MiB = 1024 * 1024;
const work = await benchWorkDir("bench-pinned");

/** Offsets spread over the object, the same in every run (so both sides read the same ranges). */
function offsets(count: number, size: number, length: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.floor(((i * 7919) % count) * ((size - length) / count)));
}

/** Medians of `a` and `b` run in alternating rounds (each once more before, as a warm-up). */
async function interleavedMedians(runs: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number, number]> {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i <= runs; i++) {
    for (const [fn, times] of i % 2 === 0 ? ([[a, ta], [b, tb]] as const) : ([[b, tb], [a, ta]] as const)) {
      const start = process.hrtime.bigint();
      await fn();
      if (i > 0) times.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  const median = (t: number[]): number => t.sort((x, y) => x - y)[Math.floor(t.length / 2)]!;
  return [median(ta), median(tb)];
}

try {
  console.log(`skybutler pinned-range bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, median of ${RUNS} runs\n`);

  // 1. Swift: If-Match on every ranged GET vs none
  const server = await swiftServer();
  const container = uniqueContainer("benchpin");
  const swift = await SwiftStorage.open(`swift://${container}`, { create: true, authUrl: server.authUrl, user: server.user, key: server.key });
  try {
    await swift.write("big.fits", randomBytes(16 * MiB));
    const etag = (await swift.stat("big.fits")).etag!;
    const at = offsets(200, 16 * MiB, 64 * 1024);
    // interleaved rounds: the server's caches and the machine's load affect both sides alike
    const [pinnedT, plainT] = await interleavedMedians(
      RUNS,
      async () => {
        for (const offset of at) await swift.read("big.fits", { offset, length: 64 * 1024, ifMatch: etag });
      },
      async () => {
        for (const offset of at) await swift.read("big.fits", { offset, length: 64 * 1024 });
      },
    );
    printRow("Swift: 200 ranged GETs with If-Match", pinnedT, "the same GETs without", plainT);
  } finally {
    await swift.close();
    await new SwiftAdmin(server).removeContainer(container);
    await stopSwift();
  }

  // 2. Posix: one open file for every range vs an open per range
  const posix = await PosixStorage.open(work);
  try {
    await posix.write("calexp.fits", randomBytes(3 * MiB));
    const at = offsets(144, 3 * MiB, 256);
    const pinnedT = await medianSeconds(RUNS, async () => {
      const ranged = await posix.openRanged("calexp.fits");
      try {
        for (const offset of at) await ranged.read(offset, 256);
      } finally {
        await ranged.close();
      }
    });
    const perRangeT = await medianSeconds(RUNS, async () => {
      for (const offset of at) await posix.read("calexp.fits", { offset, length: 256 });
    });
    printRow("Posix: 144 ranges through openRanged", pinnedT, "a read(key, range) per range", perRangeT);
  } finally {
    await posix.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

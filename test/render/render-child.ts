/**
 * Run by write-png.test.ts in a fresh process: renders a FITS file to a 1024 px PNG and reports the
 * growth of peak RSS over the RSS before the render (the process's own baseline left out).
 * Arguments: fits path, png path, interval.
 *
 * The peak is VmHWM, not getrusage's maxrss: Linux carries maxrss over from the parent through
 * fork and exec, so a child of a large test process would report the parent's size.
 */
import { readFileSync } from "node:fs";
import { openFits } from "../../src/fits/index.js";
import { writePng, type IntervalName } from "../../src/testing/index.js";

const [fitsPath, pngPath, stretch] = process.argv.slice(2) as [string, string, IntervalName];
const file = await openFits(fitsPath);
try {
  const before = process.memoryUsage().rss;
  const info = await writePng(file, pngPath, { width: 1024, stretch });
  const peak = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))![1]) * 1024;
  process.stdout.write(JSON.stringify({ width: info.width, height: info.height, growth: peak - before }));
} finally {
  await file.close();
}

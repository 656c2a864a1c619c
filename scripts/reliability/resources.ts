/**
 * Resources: N mixed Butler operations on a local output with failures injected (missing
 * datasets, bad data ids, a FITS file truncated under the Butler, puts refused), then: temp files
 * left in this process's temp directory (src/temp), open file descriptors and RSS at start and end.
 */
import { readdirSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { Butler, ButlerError, Exposure, Header, MaskedImage, filesBelow, tempRoot } from "../../src/testing/index.js";
import type { RunContext } from "./context.js";
import type { Figure } from "./figures.js";

const SECTION = "resources";

const fds = () => readdirSync("/proc/self/fd").length;
const rssMiB = () => process.memoryUsage().rss / 2 ** 20;

/** Runs the section. */
export async function resources(ctx: RunContext): Promise<Figure[]> {
  const root = join(ctx.work, "resources");
  const exposure = (seed: number) => {
    const mi = MaskedImage.create(64, 64);
    mi.image.data.fill(seed);
    return new Exposure(mi, Header.fromObject({ SEED: seed }));
  };
  let butler = await Butler.create({ inputs: fileURLToPathSample(), outputs: { root, mode: "rw" } });
  // warm up (module loading, the first sqlite handles) before the baseline
  await butler.put({ warm: true }, "jsonThing", { visit: 1 });
  await butler.get("jsonThing", { visit: 1 });
  global.gc?.();
  const start = { fds: fds(), rss: rssMiB() };
  let failures = 0;
  const started = Date.now();
  for (let i = 0; i < ctx.sizes.resourceOps; i++) {
    const visit = 1 + (i % 20);
    try {
      switch (i % 8) {
        case 0: await butler.put({ i }, "jsonThing", { visit }); break;
        case 1: await butler.get("jsonThing", { visit }); break;
        case 2: await butler.get("jsonThing", { visit: 1_000_000 + i }); break; // not there
        case 3: await butler.put({ i }, "jsonThing", { visit: "x" as unknown as number }); break; // bad data id
        case 4: await butler.put(exposure(i), "calexp", { visit: 1, ccd: visit % 3 }); break;
        case 5: await butler.get("calexp", { visit: 1, ccd: visit % 3 }); break;
        case 6: {
          // a FITS file truncated under the Butler's feet, then read
          const path = join(root, "calexp", `v1_fg_c0${visit % 3}.fits`);
          try {
            truncateSync(path, 3000);
          } catch {
            // not written yet
          }
          await butler.get("calexp", { visit: 1, ccd: visit % 3 });
          break;
        }
        default:
          // a Butler closed and reopened now and then, as pipelines do
          if (i % 64 === 7) {
            await butler.close();
            butler = await Butler.create({ inputs: fileURLToPathSample(), outputs: { root, mode: "rw" } });
          }
          await butler.datasetExists("jsonThing", { visit });
      }
    } catch (err) {
      if (!(err instanceof ButlerError)) throw err;
      ctx.watch.addError(SECTION, err);
      failures++;
    }
  }
  global.gc?.();
  const end = { fds: fds(), rss: rssMiB() };
  await butler.close();
  const left = filesBelow(tempRoot()).length;
  const how = `${ctx.sizes.resourceOps} operations (${failures} failed with typed errors) in ${((Date.now() - started) / 1000).toFixed(0)} s`;
  return [
    { section: SECTION, scenario: "temp files left after close", value: left, promise: "zero", detail: how },
    { section: SECTION, scenario: "open file descriptors gained", value: Math.max(0, end.fds - start.fds), promise: "zero", detail: `${start.fds} at start, ${end.fds} at end` },
    { section: SECTION, scenario: "RSS growth (MiB)", value: Math.round(end.rss - start.rss), promise: "info", detail: `${start.rss.toFixed(0)} MiB at start, ${end.rss.toFixed(0)} MiB at end` },
  ];
}

function fileURLToPathSample(): string {
  return new URL("../../data/testcam-repo", import.meta.url).pathname;
}

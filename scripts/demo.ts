/**
 * `npm run demo`: the main job on a local repository. Creates an output repository chained to the
 * sample input `data/testcam-repo`, reads every raw frame, writes a calibrated exposure and a
 * source catalog for each, and lists what was written.
 */
import { readdir, rm, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Butler, type Catalog, type Exposure, type PixelArray } from "../src/index.js";
import { detect, isr } from "./demo-processing.js";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const input = join(projectRoot, "data", "testcam-repo");
const output = process.argv[2] ?? join(projectRoot, "demo-output", "rerun");

await rm(output, { recursive: true, force: true });
const butler = await Butler.create({ inputs: input, outputs: { root: output, mode: "rw" } });
try {
  const exposures = (await butler.queryMetadata("raw", ["visit", "ccd"])) as Array<[number, number]>;
  console.log(`input  ${input}: ${exposures.length} raw frames`);
  console.log(`output ${output}\n`);
  console.log("visit ccd filter  sources  saturated");
  for (const [visit, ccd] of exposures) {
    const raw = await butler.get<Exposure<PixelArray>>("raw", { visit, ccd }); // filter looked up in the registry
    const calexp = isr(raw);
    await butler.put(calexp, "calexp", { visit, ccd });
    const sources = detect(calexp);
    await butler.put(sources, "src", { visit, ccd });
    const [filter] = await butler.queryMetadata("raw", "filter", { visit, ccd });
    const flags = sources.column("flag_saturated") as boolean[];
    console.log(`${String(visit).padStart(5)} ${String(ccd).padStart(3)} ${String(filter).padStart(6)} ${String(sources.length).padStart(8)} ${String(flags.filter(Boolean).length).padStart(10)}`);
  }
  await butler.put({ detection: { nSigma: 10 }, isr: { readNoise: 5 } }, "processCcd_config", {});

  // Read one back through the output (an rw output is searched first).
  const check = await butler.get<Catalog>("src", { visit: 1, ccd: 0 });
  const ok = await butler.datasetExists("calexp", { visit: 1, ccd: 0 });
  console.log(`\nread back src v1 c0: ${check.length} rows; calexp v1 c0 exists: ${ok}`);
} finally {
  await butler.close();
}

console.log("\nwritten:");
for (const file of await walk(output)) {
  console.log(`  ${String((await stat(file)).size).padStart(8)}  ${relative(output, file)}`);
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

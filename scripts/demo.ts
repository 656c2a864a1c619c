/**
 * `npm run demo`: the main job on a local repository. Creates an output repository chained to the
 * sample input `data/testcam-repo`, reads every raw frame, writes a calibrated exposure and a
 * source catalog for each, and lists what was written.
 *
 * Any repository URI works for either end, e.g. on Swift (credentials from ST_* or OS_*):
 *   npm run demo -- --input swift://testcam --output swift://rerun
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { Butler, storageFromUri, type Catalog, type Exposure, type PixelArray } from "../src/index.js";
import { detect, isr } from "./demo-processing.js";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    input: { type: "string", default: join(projectRoot, "data", "testcam-repo") },
    output: { type: "string", default: join(projectRoot, "demo-output", "rerun") },
  },
});
const input = values.input!;
const output = values.output!;

await emptyRepository(output);
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
    const flags = sources.column("flag_saturated") as boolean[];
    const filter = raw.metadata.get("FILTER");
    console.log(
      `${String(visit).padStart(5)} ${String(ccd).padStart(3)} ${String(filter).padStart(6)} ` +
        `${String(sources.length).padStart(8)} ${String(flags.filter(Boolean).length).padStart(10)}`,
    );
  }
  await butler.put({ detection: { nSigma: 10 }, isr: { readNoise: 5 } }, "processCcd_config", {});

  // Read back through the output (an rw output is searched first).
  const check = await butler.get<Catalog>("src", { visit: 1, ccd: 0 });
  const ok = await butler.datasetExists("calexp", { visit: 1, ccd: 0 });
  console.log(`\nread back src v1 c0: ${check.length} rows; calexp v1 c0 exists: ${ok}`);
} finally {
  await butler.close();
}

console.log("\nwritten:");
const storage = await storageFromUri(output);
try {
  for await (const key of storage.list()) console.log(`  ${String((await storage.stat(key)).size).padStart(8)}  ${key}`);
} finally {
  await storage.close();
}

/** Starts from an empty output, whatever its storage: the demo is rerun often. */
async function emptyRepository(root: string): Promise<void> {
  const storage = await storageFromUri(root, { create: true });
  try {
    const keys: string[] = [];
    for await (const key of storage.list()) keys.push(key);
    for (const key of keys) await storage.delete(key);
  } finally {
    await storage.close();
  }
}

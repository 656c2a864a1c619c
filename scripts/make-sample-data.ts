/**
 * `npm run make-sample-data`: regenerates `data/testcam-repo` (committed; the generator is
 * deterministic, so this only changes it when the generator changes).
 */
import { fileURLToPath } from "node:url";
import { generateSampleRepo } from "./sample-data.js";

const target = fileURLToPath(new URL("../data/testcam-repo", import.meta.url));
await generateSampleRepo(target);
process.stdout.write(`wrote ${target}\n`);

#!/usr/bin/env node
// A writer process of the reliability run (crashes, concurrency): opens a Butler on an existing
// output and puts `count` jsonThing datasets, printing `ack <visit> <i>` after each put returned.
// Plain JavaScript over the built dist/, so that dozens start in a fraction of a second each
// (writers are killed with SIGKILL and started again many times).
// Usage: node scripts/reliability/writer.mjs '<json spec>'
//   spec: {root, storageOptions, w, count, kib, doBackup, base, shared}
//   visit of put i: `shared` > 0 → 1 + (i % shared) (overlapping writers), else base + i.
import { Butler } from "../../dist/src/index.js";
import { payload } from "./payload.mjs";

const spec = JSON.parse(process.argv[2]);
const butler = await Butler.create({ outputs: { root: spec.root, mode: "w", storageOptions: spec.storageOptions ?? {} } });
try {
  for (let i = 0; i < spec.count; i++) {
    const visit = spec.shared > 0 ? 1 + (i % spec.shared) : spec.base + i;
    await butler.put(payload(spec.w, i, spec.kib), "jsonThing", { visit }, { doBackup: spec.doBackup === true });
    process.stdout.write(`ack ${visit} ${i}\n`);
  }
} finally {
  await butler.close();
}

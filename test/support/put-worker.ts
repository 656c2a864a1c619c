/**
 * A child process for the concurrent-put test: opens a Butler on an existing output and puts
 * `count` small datasets, some of them with data ids other workers also write.
 * Usage: node --import tsx test/support/put-worker.ts <outputRoot> <worker> <count>
 */
import { Butler } from "../../src/testing/index.js";

const [root, worker, count] = process.argv.slice(2);
const butler = await Butler.create({ outputs: { root: root!, mode: "rw" } });
try {
  for (let i = 0; i < Number(count); i++) {
    // visits 1..4 are shared by all workers (same keys, racing); the pickle is per worker
    await butler.put({ worker: Number(worker), i }, "jsonThing", { visit: 1 + (i % 4) });
    await butler.put({ worker: Number(worker), i, pad: "x".repeat(i * 10) }, "pickled", { visit: 1 + (i % 4), filter: `w${worker}` });
  }
} finally {
  await butler.close();
}

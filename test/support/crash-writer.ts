/**
 * A child process for the crash test: puts `count` distinct JSON datasets to a few shared data ids
 * of an existing output, printing `ack <i>` after each. With SKYBUTLER_TEST_KILL_AFTER_RENAME=p it
 * kills itself with SIGKILL, with probability p, right after a dataset file's rename — the instant
 * between publishing an object and committing its record that random kills hit only rarely (a
 * fault injector around the real `renameSync`, nothing else changed). With
 * SKYBUTLER_TEST_NEW_KEYS=1 every put is of a new data id (a new object: no intent, see
 * `dataset-records.ts`) instead of replacing three.
 * Usage: node --import tsx test/support/crash-writer.ts <outputRoot> <worker> <count>
 */
import { createRequire, syncBuiltinESMExports } from "node:module";
import { Butler } from "../../src/testing/index.js";

const [root, worker, count] = process.argv.slice(2);
const killAfterRename = Number(process.env.SKYBUTLER_TEST_KILL_AFTER_RENAME ?? 0);
const newKeys = process.env.SKYBUTLER_TEST_NEW_KEYS === "1";
if (killAfterRename > 0) {
  const fs = createRequire(import.meta.url)("node:fs") as typeof import("node:fs");
  const rename = fs.renameSync;
  fs.renameSync = (from, to) => {
    rename(from, to);
    if (String(to).endsWith(".json") && Math.random() < killAfterRename) process.kill(process.pid, "SIGKILL");
  };
  syncBuiltinESMExports();
}

const butler = await Butler.create({ outputs: { root: root!, mode: "rw" } });
try {
  for (let i = 0; i < Number(count); i++) {
    // three data ids of this writer's own, each replaced again and again (a kill after a rename
    // leaves the previous version's record — stale — unless an intent says what happened); sizes vary
    const visit = newKeys ? 100_000 + Number(worker) * 1000 + i : 1 + Number(worker) * 10 + (i % 3);
    await butler.put({ worker: Number(worker), i, pad: "x".repeat((i * 37) % 500) }, "jsonThing", { visit });
    process.stdout.write(`ack ${i}\n`);
  }
} finally {
  await butler.close();
}

/**
 * A child process for the concurrent-backup test: opens a Butler on an existing output and puts
 * `count` distinct contents to ONE data id with `doBackup`, printing `ack <n>` after each.
 * Usage: node --import tsx test/support/backup-worker.ts <outputRoot> <worker> <count>
 */
import { Butler } from "../../src/testing/index.js";

const [root, worker, count] = process.argv.slice(2);
const butler = await Butler.create({ outputs: { root: root!, mode: "rw" } });
try {
  for (let i = 0; i < Number(count); i++) {
    await butler.put({ worker: Number(worker), i }, "jsonThing", { visit: 1 }, { doBackup: true });
    process.stdout.write(`ack ${worker}:${i}\n`);
  }
} finally {
  await butler.close();
}

/**
 * A child process for the dedup concurrency test: through the modules file in
 * SKYBUTLER_STORAGE_MODULES, opens `dd://r` and, for `rounds` rounds, puts one of three contents
 * under its own keys and under keys every worker shares, deletes some, and — worker 0 — runs gc.
 * Usage: node --import tsx test/support/dedup-worker.ts <worker> <rounds>
 */
import { storageFromUri } from "../../src/testing/index.js";
import type { DedupStorage } from "../../src/storage/wrappers/dedup/dedup-storage.js";

const [worker, rounds] = process.argv.slice(2).map(Number);
const content = (i: number): Buffer => Buffer.from(`content ${i % 3} `.repeat(5000 + (i % 3)));
const storage = (await storageFromUri("dd://r")) as DedupStorage;
try {
  for (let i = 0; i < rounds!; i++) {
    await storage.write(`w${worker}/k${i}`, content(i));
    await storage.write(`shared/${i % 4}`, content(i + worker!));
    if (i % 3 === 2) await storage.delete(`w${worker}/k${i - 1}`);
    if (i % 5 === 4) await storage.delete(`shared/${i % 4}`).catch(() => undefined); // another worker may have deleted it
    if (worker === 0 && i % 4 === 3) await storage.gc({ graceMs: 60_000 }).catch((err: Error) => {
      if (!/another gc/.test(err.message)) throw err;
    });
  }
} finally {
  await storage.close();
}

/**
 * A child process for the cache test: opens `cached://r` through SKYBUTLER_STORAGE_MODULES, takes
 * a local file of `key`, and prints its content's length and the cache's figures as JSON.
 * Usage: node --import tsx test/support/cache-worker.ts <key>
 */
import { readFile } from "node:fs/promises";
import { storageFromUri } from "../../src/testing/index.js";

const storage = await storageFromUri("cached://r");
try {
  const file = await storage.getLocalFile(process.argv[2]!, { revalidate: true });
  const length = (await readFile(file.path)).length;
  await file.release();
  const { cache } = await storage.statistics();
  process.stdout.write(JSON.stringify({ length, cache }));
} finally {
  await storage.close();
}

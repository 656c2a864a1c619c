/**
 * A child process for the registry-cache test: opens a Butler on a Swift input (credentials in
 * ST_AUTH/ST_USER/ST_KEY), asks its registry something, closes it, and prints the answer and the
 * files left in its temp directory as JSON.
 * Usage: node --import tsx test/support/registry-open-worker.ts <swift-root>
 */
import { Butler, filesBelow, tempRoot } from "../../src/testing/index.js";

const butler = await Butler.create({ inputs: process.argv[2]! });
let visits: unknown;
try {
  visits = await butler.queryMetadata("raw", ["visit"], { ccd: 0 });
} finally {
  await butler.close();
}
process.stdout.write(JSON.stringify({ visits, tempFiles: filesBelow(tempRoot()) }));

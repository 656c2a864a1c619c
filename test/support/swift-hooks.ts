/**
 * Mocha root hook: empties SwiftStorage's process-wide download cache and stops the test Swift
 * server (if a test started one) at the end of the run, by the PIDs it recorded. Listed in
 * `.mocharc.json`'s `require`; costs nothing when no test used Swift.
 *
 * Root `afterAll` hooks run in the order their files were required: the temp-file check of
 * `hooks.ts` sees the cache's files unless this file is required first (or the tests that fill
 * the cache empty it themselves, as the Swift tests do).
 */
import { clearDownloadCache } from "../../src/storage/download-cache.js";
import { stopSwift } from "./swift-server.js";

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    // each instance gets 10 s to stop before its SIGKILL (swift-server.sh): three of them (the
    // main one, the large-object one, Keystone) on a loaded machine outlast mocha's 20 s default
    this.timeout(120_000);
    clearDownloadCache();
    await stopSwift();
  },
};

/**
 * Mocha root hook: stops the test Swift server (if a test started one) at the end of the run, by
 * the PIDs it recorded. Listed in `.mocharc.json`'s `require`; costs nothing when no test used Swift.
 */
import { stopSwift } from "./swift-server.js";

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    // each server's stop script may take up to 30 s on a loaded machine
    this.timeout(120_000);
    await stopSwift();
  },
};

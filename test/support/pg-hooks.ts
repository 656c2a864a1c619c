/**
 * Mocha root hook: stops the test PostgreSQL (if a test started one) at the end of the run, by
 * its PID. Listed in `.mocharc.json`'s `require`; costs nothing when no test used PostgreSQL.
 */
import { stopPg } from "./pg-server.js";

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000); // a loaded machine may take a while to reap the server
    await stopPg();
  },
};

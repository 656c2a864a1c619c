/**
 * The bounded form of `npm run reliability` (scripts/reliability/): Swift faults, crashes,
 * concurrency, hostile input, fuzzing, resources and secrets, with the same code and the bounded
 * sizes. Fails when a figure the project promises to be zero is not — the table says which.
 */
import { expect } from "chai";
import { brokenPromises, formatTable } from "../../scripts/reliability/figures.js";
import { runReliability } from "../../scripts/reliability/run.js";
import { BOUNDED } from "../../scripts/reliability/sizes.js";
import { ensureBuilt } from "../support/cli.js";

describe("reliability as figures (bounded form of npm run reliability)", function () {
  this.timeout(400_000);

  it("every promised zero is zero", async () => {
    ensureBuilt();
    const { figures, seed } = await runReliability(BOUNDED, { log: () => undefined });
    const table = formatTable(figures, `reliability, bounded form (FAULT_SEED=${seed})`);
    console.log(table.replace(/^/gm, "      "));
    expect(figures.length).to.be.greaterThan(20);
    expect(brokenPromises(figures).map((f) => `${f.section}: ${f.scenario} = ${f.value} (${f.detail ?? ""})`), `[replay with FAULT_SEED=${seed}]`).to.deep.equal([]);
  });
});

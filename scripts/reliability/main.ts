/**
 * `npm run reliability [-- --long] [-- --only swift,crashes]`: reliability as figures (issue 15).
 * Prints one row per scenario with the date and exits 1 when a promised zero is not zero.
 * The bounded form (default) is what `npm test` runs; `--long` takes the full sizes.
 */
import { ensureBuilt } from "../../test/support/cli.js";
import { stopSwift } from "../../test/support/swift-server.js";
import { brokenPromises, formatTable } from "./figures.js";
import { runReliability } from "./run.js";
import { BOUNDED, LONG } from "./sizes.js";

const args = process.argv.slice(2);
const sizes = args.includes("--long") ? LONG : BOUNDED;
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? args[onlyAt + 1]?.split(",") : undefined;
const started = Date.now();
ensureBuilt(); // the writers and `skybutler serve` run the built code
try {
  const { figures, seed } = await runReliability(sizes, only === undefined ? {} : { only });
  const date = new Date().toISOString().slice(0, 10);
  console.log(formatTable(figures, `skybutler reliability, ${sizes.name} form, ${date} (FAULT_SEED=${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s)`));
  process.exitCode = brokenPromises(figures).length > 0 ? 1 : 0;
} finally {
  await stopSwift();
}

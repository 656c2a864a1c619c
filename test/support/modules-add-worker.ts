/**
 * A child process for the concurrent-edit test: adds `count` modules named `<prefix>0`… to the
 * YAML file given, one addStorageModule call each.
 * Usage: node --import tsx test/support/modules-add-worker.ts <file> <prefix> <count>
 */
import { addStorageModule } from "../../src/testing/index.js";

const [file, prefix, count] = process.argv.slice(2);
for (let i = 0; i < Number(count); i++) {
  await addStorageModule(`${prefix}${i}`, { module: "skybutler:checksum", args: { over: `file:///srv/${prefix}${i}` } }, { file: file! });
}

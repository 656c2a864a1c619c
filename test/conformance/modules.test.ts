/**
 * The Storage conformance suite for storage modules: the vendor module of test/fixtures (loaded
 * through a storage-modules.yaml), and every built-in wrapper — alone and stacked — on
 * PosixStorage and on the test run's real Swift. One loop, the same it()s for all.
 */
import { describeStorageConformance } from "../../src/testing/index.js";
import { stackFixture, stackName, vendorFixture, type BaseKind, type Layer } from "../support/module-stacks.js";

describeStorageConformance({ name: "vendor module (test/fixtures DirectoryModule)", create: vendorFixture });

const STACKS: Layer[][] = [
  [{ kind: "checksum", args: { chunkSize: 65536 } }],
  [{ kind: "encrypt", args: { chunkSize: 65536 } }],
  [{ kind: "dedup" }],
  [{ kind: "mirror" }],
  [{ kind: "cache" }],
  [{ kind: "encrypt" }, { kind: "checksum" }],
  [{ kind: "cache" }, { kind: "dedup" }],
];

for (const base of ["posix", "swift"] as BaseKind[]) {
  for (const layers of STACKS) {
    describeStorageConformance({ name: stackName(layers, base), create: stackFixture(layers, base) });
  }
}

/**
 * The Storage conformance suite, one loop over every backend: PosixStorage, SwiftStorage and S3Storage
 * on the test run's real servers, HttpStorage through a real `skybutler serve`, the vendor module of
 * test/fixtures loaded through a storage-modules.yaml, and the built-in wrappers — alone and stacked —
 * on PosixStorage and on Swift. The list is data; `STORAGES=…` selects entries by the backends they
 * run on (test/support/backends.ts).
 *
 * On Swift every stack costs 25–80 s (the suite streams 256 MiB through it, to two containers for a
 * mirror), so `npm test` runs there the two stacks that between them hold every wrapper but the
 * mirror — encrypt/checksum and cache/dedup — and `CONFORMANCE_STACKS=all` runs all of them (the
 * mirror's fan-out has nothing Swift-specific: it is run stacked on Posix).
 */
import { describeStorageConformance, type ConformanceOptions } from "../../src/testing/index.js";
import { selectsAny, type BackendName } from "../support/backends.js";
import { stackFixture, stackName, vendorFixture, type Layer } from "../support/module-stacks.js";
import { s3Fixture } from "../support/s3-fixture.js";
import { httpFixture, posixFixture, swiftFixture } from "../support/storage-fixtures.js";

/** One entry of the loop: the suite's options and the `STORAGES` names that select it. */
interface Backend extends ConformanceOptions {
  on: BackendName[];
}

const ENCRYPT_CHECKSUM: Layer[] = [{ kind: "encrypt" }, { kind: "checksum" }];
const CACHE_DEDUP: Layer[] = [{ kind: "cache" }, { kind: "dedup" }];

/** The wrapper stacks, top first (a mirror always gets two bases). */
const STACKS: Layer[][] = [
  [{ kind: "checksum", args: { chunkSize: 65536 } }],
  [{ kind: "encrypt", args: { chunkSize: 65536 } }],
  [{ kind: "dedup" }],
  [{ kind: "mirror" }],
  [{ kind: "cache" }],
  ENCRYPT_CHECKSUM,
  CACHE_DEDUP,
];

/** The stacks run on Swift: all of them with CONFORMANCE_STACKS=all, else the two that hold every wrapper but the mirror. */
const SWIFT_STACKS = process.env.CONFORMANCE_STACKS === "all" ? STACKS : [ENCRYPT_CHECKSUM, CACHE_DEDUP];

const BACKENDS: Backend[] = [
  { name: "PosixStorage", on: ["posix"], create: posixFixture },
  { name: "SwiftStorage", on: ["swift"], create: swiftFixture },
  { name: "S3Storage (Swift s3api)", on: ["s3"], create: s3Fixture },
  { name: "HttpStorage (skybutler serve)", on: ["http"], create: httpFixture },
  { name: "vendor module (test/fixtures DirectoryModule)", on: ["modules"], create: vendorFixture },
  ...STACKS.map((layers): Backend => ({ name: stackName(layers, "posix"), on: ["posix", "modules"], create: stackFixture(layers, "posix") })),
  ...SWIFT_STACKS.map((layers): Backend => ({ name: stackName(layers, "swift"), on: ["swift", "modules"], create: stackFixture(layers, "swift") })),
];

for (const backend of BACKENDS) {
  if (selectsAny(backend.on)) describeStorageConformance({ name: backend.name, create: backend.create });
}

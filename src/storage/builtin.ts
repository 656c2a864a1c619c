/**
 * Registers the storage backends that ship with skybutler. Imported for its side effect by the
 * storage barrel (and so by the package entry point).
 *
 * @packageDocumentation
 */
import { PosixStorage } from "./posix/posix-storage.js";
import { registerStorage, registeredSchemes } from "./schemes.js";

// `file:` is loaded eagerly, unlike remote backends: it needs nothing beyond node:fs, and the
// storage barrel exports PosixStorage anyway. An `import()` here would also, under a loader that
// compiles TypeScript to CommonJS (tsx when mocha require()s test files), load a second copy of
// every module it reaches — two NotFoundError classes, and `instanceof` failing between them.
//
// A module runs once per module instance; the check also keeps a second copy of this module (e.g.
// loaded through another path) from failing with "already registered".
if (!registeredSchemes().includes("file")) {
  registerStorage("file", async () => PosixStorage.open);
}
// `swift:` is loaded on first use: undici and the Swift client cost nothing until a repository
// on Swift is opened.
if (!registeredSchemes().includes("swift")) {
  registerStorage("swift", async () => (await import("./swift/swift-storage.js")).SwiftStorage.open);
}
// `skybutler+http(s):` is loaded on first use too: a repository served by `skybutler serve`.
for (const scheme of ["skybutler+http", "skybutler+https"]) {
  if (!registeredSchemes().includes(scheme)) {
    registerStorage(scheme, async () => (await import("./http/http-storage.js")).HttpStorage.open);
  }
}
// `s3:` likewise: aws4 and the S3 client load with the first s3:// repository.
if (!registeredSchemes().includes("s3")) {
  registerStorage("s3", async () => (await import("./s3/s3-storage.js")).S3Storage.open);
}

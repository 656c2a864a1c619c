/**
 * Reference-counted temporary files.
 * @packageDocumentation
 */
export { type LocalFile, RefCountedFile, type RefCountedFileOptions } from "./local-file.js";
export { TempScope, defaultTempScope, type TempFileOptions } from "./temp-scope.js";
export { tempRoot, tempBase, onProcessExit, sweepOrphans, processAlive } from "./temp-root.js";

/**
 * Child process of `bench/swift-bench.ts`: copies one object between a PosixStorage and a
 * SwiftStorage through the streaming API (`writeStream(readStream())`) and prints its peak RSS
 * (VmHWM) as JSON — measured in a process that does nothing else.
 *
 *   tsx bench/swift-copy-child.ts to-swift|to-posix POSIX_ROOT SWIFT_CONTAINER KEY DEST_KEY
 *   (credentials: ST_AUTH, ST_USER, ST_KEY)
 */
import { readFileSync } from "node:fs";
import { PosixStorage } from "../src/storage/posix/posix-storage.js";
import { SwiftStorage } from "../src/storage/swift/swift-storage.js";

function vmHwmMiB(): number {
  const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith("VmHWM:"))!;
  return Number(line.replace(/\D+/g, "")) / 1024;
}

const [direction, posixRoot, container, key, dest] = process.argv.slice(2) as [string, string, string, string, string];
const posix = await PosixStorage.open(`file://${posixRoot}`, { create: true });
const swift = await SwiftStorage.open(`swift://${container}`, { create: true });
const before = vmHwmMiB();
const started = process.hrtime.bigint();
if (direction === "to-swift") await swift.writeStream(dest, await posix.readStream(key));
else await posix.writeStream(dest, await swift.readStream(key));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
await swift.close();
await posix.close();
console.log(JSON.stringify({ direction, seconds, peakRssMiB: vmHwmMiB(), rssBeforeCopyMiB: before }));

/**
 * The maintenance operations of the built-in wrappers, by URI: what `skybutler gc` and
 * `skybutler mirror repair` call. The wrapper code loads only when they run.
 *
 * @packageDocumentation
 */
import { ConfigError } from "../../errors.js";
import type { StorageOptions } from "../storage.js";

/** What {@link gcDedup} did. */
export interface GcReport {
  /** Blobs no reference points to, removed. */
  removed: number;
  /** Their bytes. */
  freedBytes: number;
  /** Blobs kept (referenced, or pinned by a put in progress). */
  kept: number;
}

/** What {@link repairMirror} did. */
export interface RepairReport {
  /** Keys seen on any target. */
  keys: number;
  /** Copies made, as `target URI → count`. */
  copied: Record<string, number>;
  /** Copies skipped because `available` said the target already had the object. */
  skipped: number;
}

/**
 * Removes the blobs of a `skybutler:dedup` storage that no key references, safely while other
 * processes put and delete (see DedupStorage.gc).
 *
 * ```ts
 * const { removed, freedBytes } = await gcDedup("dedup://repo");
 * ```
 * @throws ConfigError when the URI is not a dedup storage; StorageError from the storage below
 */
export async function gcDedup(uri: string, options: StorageOptions & { graceMs?: number } = {}): Promise<GcReport> {
  const { storageFromUri } = await import("../schemes.js");
  const { DedupStorage } = await import("./dedup/dedup-storage.js");
  const storage = await storageFromUri(uri, options);
  try {
    if (!(storage instanceof DedupStorage)) throw new ConfigError(`${uri} is not a skybutler:dedup storage; gc applies to dedup modules only`);
    return await storage.gc(options.graceMs === undefined ? {} : { graceMs: options.graceMs });
  } finally {
    await storage.close();
  }
}

/**
 * Completes every target of a `skybutler:mirror` storage: each key found on one target is copied
 * to the targets that lack it (those whose `available` says they have it are skipped).
 *
 * ```ts
 * const report = await repairMirror("mirrored://repo");
 * ```
 * @throws ConfigError when the URI is not a mirror storage; StorageError from the targets
 */
export async function repairMirror(uri: string, options: StorageOptions = {}): Promise<RepairReport> {
  const { storageFromUri } = await import("../schemes.js");
  const { MirrorStorage } = await import("./mirror/mirror-storage.js");
  const storage = await storageFromUri(uri, options);
  try {
    if (!(storage instanceof MirrorStorage)) throw new ConfigError(`${uri} is not a skybutler:mirror storage; repair applies to mirror modules only`);
    return await storage.repair();
  } finally {
    await storage.close();
  }
}

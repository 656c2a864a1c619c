/**
 * A Butler over one repository for the duration of a command: read-only, or with `write` the
 * repository as an output that is read first (`rw`), its recorded parents as inputs.
 *
 * @packageDocumentation
 */
import type { Butler } from "../butler/butler.js";
import { ConfigError, NotFoundError } from "../errors.js";
import { storageFromUri } from "../storage/index.js";

/** Options of {@link withButler}. */
export interface WithButlerOptions {
  /** Open the repository for writing; it must exist already (`skybutler create` makes one). */
  write?: boolean;
}

/**
 * Opens a Butler on `repo` (any URI or path), runs `fn`, closes it.
 * @throws ConfigError, with `write`, when `repo` holds no repository (nothing is created there);
 *   what opening the Butler and `fn` throw
 */
export async function withButler<T>(repo: string, fn: (butler: Butler) => Promise<T>, options: WithButlerOptions = {}): Promise<T> {
  if (options.write === true) await requireRepository(repo);
  // loaded on use: commands that need no Butler (ls, push, pull, serve) start without it
  const { Butler } = await import("../butler/butler.js");
  const butler = await Butler.create(options.write === true ? { outputs: { root: repo, mode: "rw" } } : { inputs: repo });
  try {
    return await fn(butler);
  } finally {
    await butler.close();
  }
}

/** An output is created when missing: a mistyped path must not become an empty repository. */
async function requireRepository(repo: string): Promise<void> {
  const hint = `create one with \`skybutler create ${repo} --mapper NAME\``;
  let storage;
  try {
    storage = await storageFromUri(repo);
  } catch (err) {
    if (err instanceof NotFoundError) throw new ConfigError(`${repo} does not exist; ${hint}`, { cause: err });
    throw err;
  }
  try {
    const { readRepositoryCfg } = await import("../repository/index.js");
    if ((await readRepositoryCfg(storage)) === undefined) throw new ConfigError(`${repo} holds no repository (no repositoryCfg.yaml); ${hint}`);
  } finally {
    await storage.close();
  }
}

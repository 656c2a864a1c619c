/**
 * `skybutler create <repo> --mapper NAME [--parent URI]…`: a new repository (its root and its
 * `repositoryCfg.yaml`) on any storage. Creating one that exists with the same mapper and parents
 * changes nothing; with others it is an error.
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { ConfigError, NotFoundError } from "../../errors.js";
import type { RepositoryCfg } from "../../repository/index.js";
import { storageFromUri } from "../../storage/index.js";
import { outputOf } from "../global-options.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Registers `create`. */
export function registerCreate(program: Command): void {
  program
    .command("create")
    .description("create a repository: its root and its repositoryCfg.yaml")
    .argument("<repo>", "root (path or URI)")
    .requiredOption("--mapper <name>", "the camera's mapper, e.g. testcam")
    .option("--parent <uri>", "a repository to read through (repeatable, in lookup order)", collect, [])
    .action(async (repo: string, opts: { mapper: string; parent: string[] }, command: Command) => {
      const out = outputOf(command);
      // loaded on use, as in with-butler.ts
      const [{ Butler }, { loadMapper }, { repositoryRoot }] = await Promise.all([import("../../butler/butler.js"), import("../../mapper/index.js"), import("../../repository/index.js")]);
      // an unknown mapper is refused before anything is made
      await loadMapper(opts.mapper);
      const parents = opts.parent.map(repositoryRoot);
      const existing = await recordedCfg(repo);
      if (existing !== undefined) {
        if (existing.mapper !== opts.mapper || existing.parents.join("\n") !== parents.join("\n")) {
          throw new ConfigError(`${repo} is a repository already, with mapper "${existing.mapper}" and parents [${existing.parents.join(", ")}]`);
        }
      } else {
        const butler = await Butler.create({ ...(parents.length > 0 ? { inputs: opts.parent } : {}), outputs: { root: repo, mapper: opts.mapper } });
        await butler.close();
      }
      const root = repositoryRoot(repo);
      out.note(`${existing === undefined ? "created" : "exists already:"} ${root} (mapper ${opts.mapper}${parents.length > 0 ? `, parents ${parents.join(", ")}` : ""})`);
      out.data({ root, mapper: opts.mapper, parents, created: existing === undefined });
    });
}

/** The configuration recorded at `repo`, or undefined where there is none (or no root yet). */
async function recordedCfg(repo: string): Promise<RepositoryCfg | undefined> {
  let storage;
  try {
    storage = await storageFromUri(repo);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
  try {
    const { readRepositoryCfg } = await import("../../repository/index.js");
    return await readRepositoryCfg(storage);
  } finally {
    await storage.close();
  }
}

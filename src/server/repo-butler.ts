/**
 * The Butler of a served repository for the dataset routes, or a 404 that says the repository
 * serves objects only (its root holds no `repositoryCfg.yaml`) rather than a server error.
 *
 * @packageDocumentation
 */
import type { Butler } from "../butler/butler.js";
import { ConfigError } from "../errors.js";
import { errorFromCode } from "../error-from-code.js";
import { REPOSITORY_CFG_KEY } from "../repository/index.js";
import type { ServerContext } from "./server-context.js";

/**
 * The Butler over repository `name`.
 * @throws NotFoundError (E_NOT_FOUND) for an unknown name or a root that holds no repository;
 *   ConfigError for a repository that cannot be opened (a bad configuration: the server's problem)
 */
export async function repoButler(ctx: ServerContext, name: string): Promise<Butler> {
  const entry = ctx.repos.get(name);
  try {
    return await entry.butler();
  } catch (err) {
    if (err instanceof ConfigError && !(await entry.storage.exists(REPOSITORY_CFG_KEY))) {
      throw errorFromCode("E_NOT_FOUND", `repo "${name}" holds objects but no dataset repository (no ${REPOSITORY_CFG_KEY}); use its /objects routes`, { key: REPOSITORY_CFG_KEY });
    }
    throw err;
  }
}

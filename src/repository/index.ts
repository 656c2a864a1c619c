/**
 * Repositories: one root with its storage, configuration, registry and mapper.
 * @packageDocumentation
 */
export { Repository, REGISTRY_KEY, type RepositoryArgs, type RepositoryMode, type RepositoryOpenContext, type MapperContext } from "./repository.js";
export {
  REPOSITORY_CFG_KEY,
  readRepositoryCfg,
  writeRepositoryCfg,
  relativeParent,
  absoluteParent,
  type RepositoryCfg,
} from "./repository-cfg.js";

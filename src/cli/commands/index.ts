/**
 * Every command of the command line, one file each (each a `register…(program)`).
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { registerCreate } from "./create.js";
import { registerFsck } from "./fsck.js";
import { registerGc } from "./gc.js";
import { registerGet } from "./get.js";
import { registerInfo } from "./info.js";
import { registerIngest } from "./ingest.js";
import { registerKeys } from "./keys.js";
import { registerLs } from "./ls.js";
import { registerMirror } from "./mirror.js";
import { registerModules } from "./modules.js";
import { registerPull } from "./pull.js";
import { registerPush } from "./push.js";
import { registerPut } from "./put.js";
import { registerQuery } from "./query.js";
import { registerRegistry } from "./registry.js";
import { registerRegistryMigrate } from "./registry-migrate.js";
import { registerServe } from "./serve.js";
import { registerShow } from "./show.js";
import { registerStorlet } from "./storlet.js";
import { registerTypes } from "./types.js";
import { registerUri } from "./uri.js";

/** Adds a command to the program. */
export type CommandRegistrar = (program: Command) => void;

/** The commands, in the order `--help` lists them. */
export const COMMANDS: readonly CommandRegistrar[] = [
  registerLs,
  registerPush,
  registerPull,
  registerCreate,
  registerInfo,
  registerTypes,
  registerKeys,
  registerQuery,
  registerUri,
  registerGet,
  registerPut,
  registerIngest,
  registerRegistry,
  registerRegistryMigrate,
  registerFsck,
  registerShow,
  registerServe,
  registerModules,
  registerGc,
  registerMirror,
  registerStorlet,
];

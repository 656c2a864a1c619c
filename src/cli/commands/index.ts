/**
 * Every command of the command line, one file each. Phase 2 adds here `get`, `put`, `ingest`,
 * `create`, `info` and `registry build` (each a `register…(program)` like these).
 *
 * @packageDocumentation
 */
import type { Command } from "commander";
import { registerGc } from "./gc.js";
import { registerKeys } from "./keys.js";
import { registerLs } from "./ls.js";
import { registerMirror } from "./mirror.js";
import { registerModules } from "./modules.js";
import { registerPull } from "./pull.js";
import { registerPush } from "./push.js";
import { registerQuery } from "./query.js";
import { registerServe } from "./serve.js";
import { registerTypes } from "./types.js";
import { registerUri } from "./uri.js";

/** Adds a command to the program. */
export type CommandRegistrar = (program: Command) => void;

/** The commands, in the order `--help` lists them. */
export const COMMANDS: readonly CommandRegistrar[] = [registerLs, registerPush, registerPull, registerTypes, registerKeys, registerQuery, registerUri, registerServe, registerModules, registerGc, registerMirror];

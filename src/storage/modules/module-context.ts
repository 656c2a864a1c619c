/**
 * The {@link ModuleContext} handed to every module method: a logger and temp files.
 *
 * @packageDocumentation
 */
import type { TempScope } from "../../temp/index.js";
import type { ModuleContext, ModuleLogger } from "./storage-module.js";

const LEVELS = ["debug", "info", "warn", "error"] as const;

/**
 * A logger writing `skybutler[NAME] level: message` lines to stderr, from the level in
 * `SKYBUTLER_LOG` (debug, info, warn, error; default warn) upwards.
 */
export function stderrLogger(name: string, env: NodeJS.ProcessEnv = process.env): ModuleLogger {
  const wanted = LEVELS.indexOf((env.SKYBUTLER_LOG ?? "warn") as (typeof LEVELS)[number]);
  const threshold = wanted < 0 ? 2 : wanted;
  const line = (level: (typeof LEVELS)[number]) => (message: string) => {
    if (LEVELS.indexOf(level) >= threshold) process.stderr.write(`skybutler[${name}] ${level}: ${message}\n`);
  };
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}

/** The context of one module's storage: its name, a logger, and temp files in `scope`. */
export function moduleContext(name: string, scope: TempScope, logger: ModuleLogger = stderrLogger(name)): ModuleContext {
  return {
    name,
    logger,
    tempScope: scope,
    tempFile: (options = {}) => scope.createFile({ prefix: `module-${name}`, ...(options.suffix === undefined ? {} : { suffix: options.suffix }) }),
  };
}

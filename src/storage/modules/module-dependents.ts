/**
 * Which configured modules stack on another: a wrapper whose `args.over` names `NAME://…` (or a
 * mirror with such a target) stops working when NAME is removed, so removals ask first.
 *
 * @packageDocumentation
 */
import type { StorageModulesConfig } from "./modules-file.js";

/** The URI prefixes an entry's `args.over` names (a string, or a mirror's list). */
function oversOf(args: Readonly<Record<string, unknown>> | undefined): string[] {
  const over = args?.over;
  if (typeof over === "string") return [over];
  if (Array.isArray(over)) return over.filter((o): o is string => typeof o === "string");
  return [];
}

/**
 * The names of the modules in `config` that wrap the module `name` (their `args.over` starts with
 * `name:`), sorted.
 *
 * ```ts
 * modulesOver("checked", { secure: { module: "skybutler:encrypt", args: { over: "checked://" } } });  // ["secure"]
 * ```
 */
export function modulesOver(name: string, config: StorageModulesConfig): string[] {
  const prefix = `${name.toLowerCase()}:`;
  return Object.entries(config)
    .filter(([other, entry]) => other !== name && oversOf(entry.args).some((o) => o.toLowerCase().startsWith(prefix)))
    .map(([other]) => other)
    .sort();
}

/**
 * A storlet's code from the local disk (`storlet run FILE --main module.Class --dependency F`)
 * or a shipped storlet by name (`skybutler storlet run fitscutout`), checked with
 * the same rules as a deployment, so what runs locally is what would be accepted by the server.
 *
 * @packageDocumentation
 */
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { UsageError } from "../errors.js";
import { BUILTIN_STORLETS, builtinName, builtinStorletPath } from "./builtin-storlets.js";
import { languageOfFile, validateStorletRegistration } from "./deployment.js";
import type { CodeFile, StorletCode } from "./storlet-process.js";

/** Where a run's code comes from. */
export interface LocalCodeOptions {
  /** `module.Class`; a shipped storlet has its own. */
  main?: string;
  /** Files the storlet uses (executables, data), in its directory when it runs. */
  dependencies?: string[];
}

/**
 * The code of a local storlet file or of a shipped storlet.
 * @throws UsageError when the file does not exist and is no shipped storlet, when Main is missing
 *   or does not match the file (upstream's messages), or a dependency is missing
 */
export async function localStorletCode(fileOrName: string, options: LocalCodeOptions = {}): Promise<StorletCode> {
  const dependencies = await Promise.all((options.dependencies ?? []).map(dependencyFile));
  if (!existsSync(fileOrName)) {
    const name = builtinName(fileOrName);
    if (name === undefined) {
      throw new UsageError(`no storlet file ${fileOrName}, and no shipped storlet of that name (they are ${Object.keys(BUILTIN_STORLETS).join(", ")})`);
    }
    const builtin = BUILTIN_STORLETS[name]!;
    return { language: "javascript", main: builtin.main, storlet: { name: builtin.file, path: await builtinStorletPath(name), mode: 0o400 }, dependencies };
  }
  const name = basename(fileOrName);
  const language = languageOfFile(name);
  if (options.main === undefined) throw new UsageError(`give --main module.Class for ${name} (e.g. ${name.replace(/\.[^.]*$/, "")}.MyStorlet)`);
  const deployment = validateStorletRegistration(
    { Language: language, "Interface-Version": "1.0", "Object-Metadata": "no", Main: options.main, Dependency: dependencies.map((d) => d.name).join(",") },
    name,
  );
  return { language, main: deployment.main, storlet: { name, path: fileOrName, mode: 0o400 }, dependencies };
}

/** A dependency: its permission bits are the file's (owner read and write at least, as upstream requires). */
async function dependencyFile(path: string): Promise<CodeFile> {
  try {
    const info = await stat(path);
    return { name: basename(path), path, mode: (info.mode & 0o700) | 0o600 };
  } catch {
    throw new UsageError(`the dependency ${path} does not exist`);
  }
}

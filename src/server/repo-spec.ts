/**
 * `--repo NAME=URI`: a repository to serve, parsed without loading the server (the command line
 * parses it before it knows it will serve).
 *
 * @packageDocumentation
 */
import { ConfigError } from "../errors.js";

/** A `--repo NAME=URI` argument. */
export interface RepoSpec {
  name: string;
  uri: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Parses `NAME=URI`.
 * @throws ConfigError for a missing `=` or a name that is not `[A-Za-z0-9._-]` (it is a URL segment)
 */
export function parseRepoSpec(text: string): RepoSpec {
  const eq = text.indexOf("=");
  const name = text.slice(0, Math.max(0, eq));
  if (eq <= 0 || eq === text.length - 1) throw new ConfigError(`--repo expects NAME=URI, got "${text}"`);
  if (!NAME.test(name)) throw new ConfigError(`repository name "${name}" must be letters, digits, ".", "_" or "-" (it is part of URLs)`);
  return { name, uri: text.slice(eq + 1) };
}

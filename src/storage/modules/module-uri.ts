/**
 * URIs of configured modules: `NAME://rest`, and the URI a wrapper opens below it (`args.over`
 * with the same rest appended).
 *
 * @packageDocumentation
 */
import { ConfigError } from "../../errors.js";

/** A module URI split into its scheme and the root below it. */
export interface ModuleUri {
  scheme: string;
  /** The root without leading or trailing slashes; "" for the module's top. */
  rest: string;
  /** The canonical form: `NAME://rest`, or `NAME:` for the top (never a trailing slash). */
  uri: string;
}

/**
 * Splits `NAME://rest` (also `NAME:rest`, `NAME:/rest`).
 * @throws ConfigError when the rest has `..` segments, backslashes or control characters
 */
export function parseModuleUri(uri: string): ModuleUri {
  const colon = uri.indexOf(":");
  const scheme = uri.slice(0, colon).toLowerCase();
  const rest = uri.slice(colon + 1).replace(/^\/+/, "").replace(/\/+$/, "");
  // eslint-disable-next-line no-control-regex
  if (rest.split("/").includes("..") || rest.includes("\\") || /[\u0000-\u001f\u007f]/.test(rest)) {
    throw new ConfigError(`"${uri}" is not a usable root: no "..", backslashes or control characters`);
  }
  return { scheme, rest, uri: rest === "" ? `${scheme}:` : `${scheme}://${rest}` };
}

/**
 * The URI a wrapper opens: `over` with `rest` appended (`over: "swift://"`, rest `c/p` →
 * `swift://c/p`; `over: "file:///srv/enc"`, rest `r1` → `file:///srv/enc/r1`).
 */
export function innerUri(over: string, rest: string): string {
  if (rest === "") return /:\/*$/.test(over) ? over : over.replace(/\/+$/, "");
  if (over.endsWith("//") || over.endsWith(":")) return `${over}${rest}`;
  return `${over.replace(/\/+$/, "")}/${rest}`;
}

/**
 * `skybutler+http://HOST:PORT/NAME` and `skybutler+https://…`: a repository served by `skybutler serve`.
 *
 * @packageDocumentation
 */
import { ConfigError } from "../../errors.js";

/** A parsed server storage URI. */
export interface HttpRoot {
  /** The normalised URI, e.g. `skybutler+http://127.0.0.1:4055/testcam`. */
  uri: string;
  /** The server's base URL, e.g. `http://127.0.0.1:4055`. */
  base: string;
  /** The repository name on the server. */
  repo: string;
}

/**
 * Parses a `skybutler+http(s)://HOST[:PORT]/NAME` URI.
 * @throws ConfigError for another scheme, a missing name, or a path below the name
 */
export function parseHttpUri(uri: string): HttpRoot {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ConfigError(`"${uri}" is not a URI; expected skybutler+http://HOST:PORT/NAME`);
  }
  const protocol = url.protocol.toLowerCase();
  if (protocol !== "skybutler+http:" && protocol !== "skybutler+https:") {
    throw new ConfigError(`"${uri}" is not a skybutler+http:// or skybutler+https:// URI`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new ConfigError("put no credentials in a skybutler+http URI: give the token as storageOptions.token or SKYBUTLER_TOKEN");
  }
  const parts = url.pathname.split("/").filter((p) => p !== "");
  if (parts.length !== 1) throw new ConfigError(`"${uri}" must name one repository: skybutler+http://HOST:PORT/NAME`);
  const repo = decodeURIComponent(parts[0]!);
  const scheme = protocol.slice("skybutler+".length, -1);
  const base = `${scheme}://${url.host}`;
  return { uri: `skybutler+${scheme}://${url.host}/${encodeURIComponent(repo)}`, base, repo };
}
